"use client";

import { useEffect, useRef, useState } from "react";
import type { EventView, LiveState } from "@/lib/live-types";

const MAX_LINES = 500;

export interface Live {
  state: LiveState;
  /** Server clock minus browser clock, for countdowns. */
  skew: number;
  lines: EventView[];
  /** Lines that arrived while paused. */
  held: number;
  connected: boolean;
  paused: boolean;
  setPaused: (p: boolean) => void;
  clear: () => void;
  /** Knocks/opens/bans seen since the page was rendered (added to the server's totals). */
  fresh: { knocks: number; opens: number; bans: number };
}

/**
 * Subscribe to /api/stream (server-sent events). EventSource reconnects by
 * itself and resumes after the last event id; a "logout" event (or a 401 on
 * reconnect) sends the browser to the login page.
 */
export function useLive(initial: LiveState, countAfterId: number): Live {
  const [state, setState] = useState(initial);
  const [skew, setSkew] = useState(0);
  const [lines, setLines] = useState<EventView[]>([]);
  const [connected, setConnected] = useState(false);
  const [paused, setPausedState] = useState(false);
  const [held, setHeld] = useState(0);
  const pausedRef = useRef(false);
  const buffer = useRef<EventView[]>([]);
  const counted = useRef(countAfterId);
  const [fresh, setFresh] = useState({ knocks: 0, opens: 0, bans: 0 });

  useEffect(() => {
    const es = new EventSource("/api/stream");
    es.onopen = () => setConnected(true);
    es.onerror = () => {
      setConnected(false);
      if (es.readyState === EventSource.CLOSED) {
        void fetch("/api/status").then((r) => {
          if (r.status === 401) window.location.assign("/login");
        });
      }
    };
    es.addEventListener("events", (msg) => {
      const rows = JSON.parse((msg as MessageEvent<string>).data) as EventView[];
      const newer = rows.filter((r) => r.id > counted.current);
      if (newer.length) {
        counted.current = newer[newer.length - 1]!.id;
        const add = (kind: string) => newer.filter((r) => r.kind === kind).length;
        setFresh((f) => ({ knocks: f.knocks + add("stage"), opens: f.opens + add("open"), bans: f.bans + add("ban") }));
      }
      if (pausedRef.current) {
        buffer.current = [...buffer.current, ...rows].slice(-MAX_LINES);
        setHeld(buffer.current.length);
        return;
      }
      setLines((old) => mergeLines(old, rows));
    });
    es.addEventListener("state", (msg) => {
      const s = JSON.parse((msg as MessageEvent<string>).data) as LiveState;
      setSkew(s.now - Date.now());
      setState(s);
    });
    es.addEventListener("logout", () => {
      es.close();
      window.location.assign("/login");
    });
    return () => es.close();
  }, []);

  const setPaused = (p: boolean) => {
    pausedRef.current = p;
    setPausedState(p);
    if (!p && buffer.current.length) {
      const rows = buffer.current;
      buffer.current = [];
      setHeld(0);
      setLines((old) => mergeLines(old, rows));
    }
  };

  return { state, skew, lines, held, connected, paused, setPaused, clear: () => setLines([]), fresh };
}

function mergeLines(old: EventView[], rows: EventView[]): EventView[] {
  const lastId = old.at(-1)?.id ?? 0;
  const fresh = rows.filter((r) => r.id > lastId);
  return fresh.length ? [...old, ...fresh].slice(-MAX_LINES) : old;
}
