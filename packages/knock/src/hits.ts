import { createSocket } from "node:dgram";
import { Socket } from "node:net";

/** Bound on waiting for Node to issue connect(); it normally happens on the next tick. */
const CONNECT_ISSUE_TIMEOUT_MS = 1000;

/**
 * One TCP knock: a single SYN to address:port, then the socket is dropped.
 *
 * Node defers connect() for IP literals to process.nextTick, so destroying
 * the socket right after socket.connect() would send nothing at all. The
 * `connectionAttempt` event fires synchronously just before the handle's
 * connect(), which is a non-blocking connect(2): the kernel has transmitted
 * the SYN by the time it returns. Destroying on the following tick closes
 * the socket in SYN_SENT, exactly like knock 0.8's connect()+close(): no
 * handshake wait, no retransmission, and the kernel answers the server's
 * SYN-ACK (if any) with a RST.
 */
export function sendTcpHit(address: string, port: number, localAddress?: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = new Socket();
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      if (err) reject(err);
      else resolve();
    };
    const guard = setTimeout(() => {
      socket.destroy();
      finish(new Error(`connect to ${address}:${port} was never issued`));
    }, CONNECT_ISSUE_TIMEOUT_MS);

    socket.once("connectionAttempt", () => {
      process.nextTick(() => socket.destroy());
    });
    // A synchronous connect(2) failure (no route, bad source address) arrives as 'error' before 'close'.
    socket.on("error", (err) => finish(err));
    socket.once("close", () => finish());
    socket.connect({ host: address, port, localAddress });
  });
}

/** One UDP knock: a single 1-byte datagram (a NUL, as knock 0.8 sends) to address:port. */
export function sendUdpHit(address: string, family: 4 | 6, port: number, localAddress?: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = createSocket(family === 6 ? "udp6" : "udp4");
    let settled = false;
    const finish = (err?: Error | null) => {
      if (settled) return;
      settled = true;
      socket.close();
      if (err) reject(err);
      else resolve();
    };
    socket.once("error", finish);
    // The send callback runs once the datagram has been handed to the kernel.
    const send = () => socket.send(Buffer.alloc(1), port, address, finish);
    if (localAddress) socket.bind({ address: localAddress, port: 0, exclusive: true }, send);
    else send();
  });
}
