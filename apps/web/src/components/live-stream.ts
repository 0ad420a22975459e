"use client";

import type { EventView, LiveState } from "@/lib/live-types";

/** What a part of the page wants from the stream; every handler is optional. */
export interface LiveListener {
  events?: (rows: EventView[]) => void;
  state?: (state: LiveState) => void;
  connected?: (isConnected: boolean) => void;
}

/** Lines kept for parts that subscribe later (the dashboard after a navigation). */
const REPLAY_LINES = 500;
/** Keep the connection over a page change (one part unsubscribes, the next subscribes). */
const CLOSE_AFTER_MS = 2000;
/** How often a "logout" is checked before the tab goes to the login page. */
const LOGOUT_CHECKS = 5;

/**
 * One /api/stream connection per tab, shared by everything that moves: the
 * header's config status, the dashboard's log, tables and chart. A late
 * subscriber gets the recent lines and the latest state at once. EventSource
 * reconnects by itself and resumes after the last event id; a "logout" event
 * (or a 401 on reconnect) sends the browser to the login page.
 */
class LiveStream {
  private es: EventSource | null = null;
  private readonly listeners = new Set<LiveListener>();
  private recent: EventView[] = [];
  private state: LiveState | null = null;
  private isConnected = false;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;

  subscribe(listener: LiveListener): () => void {
    clearTimeout(this.closeTimer);
    this.listeners.add(listener);
    if (!this.es) this.open();
    if (this.recent.length) listener.events?.(this.recent);
    if (this.state) listener.state?.(this.state);
    listener.connected?.(this.isConnected);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.closeTimer = setTimeout(() => this.close(), CLOSE_AFTER_MS);
    };
  }

  private open(): void {
    const es = new EventSource("/api/stream");
    this.es = es;
    es.onopen = () => this.setConnected(true);
    es.onerror = () => {
      this.setConnected(false);
      if (es.readyState === EventSource.CLOSED) {
        void fetch("/api/status").then((r) => {
          if (r.status === 401) window.location.assign("/login");
        });
      }
    };
    es.addEventListener("events", (msg) => {
      const rows = JSON.parse((msg as MessageEvent<string>).data) as EventView[];
      const lastId = this.recent.at(-1)?.id ?? 0;
      const fresh = rows.filter((r) => r.id > lastId);
      if (fresh.length === 0) return;
      this.recent = [...this.recent, ...fresh].slice(-REPLAY_LINES);
      for (const l of this.listeners) l.events?.(fresh);
    });
    es.addEventListener("state", (msg) => {
      const state = JSON.parse((msg as MessageEvent<string>).data) as LiveState;
      this.state = state;
      for (const l of this.listeners) l.state?.(state);
    });
    // The session this stream was opened with ended. This tab may hold a newer one (a password
    // change revokes every session and issues this browser a fresh cookie, which can arrive after
    // the stream noticed): ask before leaving, a few times.
    es.addEventListener("logout", () => {
      es.close();
      this.setConnected(false);
      void this.stillSignedIn().then((yes) => {
        if (!yes) window.location.assign("/login");
        else if (this.es === es && this.listeners.size > 0) this.open();
      });
    });
  }

  /** Whether this tab's cookie is a live session: /api/status answered 2xx within LOGOUT_CHECKS tries, a second apart (an error page is no session, so no reconnect loop). */
  private async stillSignedIn(): Promise<boolean> {
    for (let i = 0; i < LOGOUT_CHECKS; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1000));
      const r = await fetch("/api/status").catch(() => null);
      if (r?.ok) return true;
    }
    return false;
  }

  private setConnected(isConnected: boolean): void {
    this.isConnected = isConnected;
    for (const l of this.listeners) l.connected?.(isConnected);
  }

  private close(): void {
    this.es?.close();
    this.es = null;
    this.recent = [];
    this.state = null;
    this.setConnected(false);
  }
}

let stream: LiveStream | undefined;

/** Subscribe to the tab's live stream; returns the unsubscribe function. */
export function subscribeLive(listener: LiveListener): () => void {
  stream ??= new LiveStream();
  return stream.subscribe(listener);
}
