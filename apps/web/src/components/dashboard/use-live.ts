"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { subscribeLive } from "@/components/live-stream";
import { countEventsAfter } from "@/lib/live-series";
import type { EventView, LiveState } from "@/lib/live-types";

const MAX_LINES = 500;
/** Counted events kept between two server renders (a flood's beyond this are not added live). */
const MAX_COUNTED = 100_000;
const COUNTED_KINDS = new Set(["stage", "open", "ban"]);

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
  /** Knocks/opens/bans newer than the server's totals (added to them; a refresh's totals take over). */
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
  const lastCounted = useRef(countAfterId);
  // Ids and kinds, not sums: a refresh brings totals up to a newer id, and only what is newer
  // than that may still be added (sums double-counted after every refresh).
  const [counted, setCounted] = useState<{ id: number; kind: string }[]>([]);
  useEffect(() => {
    lastCounted.current = Math.max(lastCounted.current, countAfterId);
    setCounted((c) => (c.length && c[0]!.id <= countAfterId ? c.filter((e) => e.id > countAfterId) : c));
  }, [countAfterId]);
  const fresh = useMemo(() => countEventsAfter(counted, countAfterId), [counted, countAfterId]);

  useEffect(
    () =>
      subscribeLive({
        connected: setConnected,
        events: (rows) => {
          const newer = rows.filter((r) => r.id > lastCounted.current);
          if (newer.length) {
            lastCounted.current = newer[newer.length - 1]!.id;
            const add = newer.filter((r) => COUNTED_KINDS.has(r.kind)).map((r) => ({ id: r.id, kind: r.kind }));
            if (add.length) setCounted((c) => [...c, ...add].slice(-MAX_COUNTED));
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
