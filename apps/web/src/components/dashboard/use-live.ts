"use client";

import { useEffect, useRef, useState } from "react";
import { subscribeLive } from "@/components/live-stream";
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
 * The dashboard's view of the tab's live stream (components/live-stream.ts):
 * log lines, grants, bans and worker health, all from the same messages.
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

  useEffect(
    () =>
      subscribeLive({
        connected: setConnected,
        events: (rows) => {
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
        },
        state: (s) => {
          setSkew(s.now - Date.now());
          // A replayed state can be older than the one this page was rendered with.
          setState((old) => (s.now >= old.now ? s : old));
        },
      }),
    [],
  );

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
