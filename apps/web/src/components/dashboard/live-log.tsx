"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { describeEvent, EVENT_GROUPS, isInGroup } from "@/lib/describe-event";
import { formatTimestamp } from "@/lib/format";
import type { Live } from "./use-live";

/** The live stage log: newest at the bottom, pause, filter by kind and by text (IP, door). */
export function LiveLog({ live }: { live: Live }) {
  const [group, setGroup] = useState("all");
  const [text, setText] = useState("");
  const listRef = useRef<HTMLOListElement>(null);
  const stick = useRef(true);
  const firstId = useRef<number | null>(null);

  const shown = useMemo(() => {
    const q = text.trim().toLowerCase();
    return live.lines.filter(
      (e) =>
        isInGroup(group, e) &&
        (!q || (e.ip ?? "").toLowerCase().includes(q) || (e.doorName ?? "").toLowerCase().includes(q) || (e.userName ?? "").toLowerCase().includes(q)),
    );
  }, [live.lines, group, text]);

  if (firstId.current === null && live.lines.length) firstId.current = live.lines.at(-1)!.id;

  useEffect(() => {
    const el = listRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [shown]);

  return (
    <section className="card" aria-labelledby="h-log">
      <div className="card-head" style={{ marginBottom: "0.75rem" }}>
        <h2 id="h-log">
          Live log{" "}
          <span className={`badge ${live.connected ? "ok" : "warn"}`} data-testid="stream-status">
            <span className="dot" aria-hidden="true" />
            {live.connected ? (live.paused ? "paused" : "live") : "reconnecting…"}
          </span>
        </h2>
        <div className="toolbar">
          <label className="sr-only" htmlFor="log-group">
            Show
          </label>
          <select id="log-group" value={group} onChange={(e) => setGroup(e.target.value)}>
            {Object.entries(EVENT_GROUPS).map(([k, g]) => (
              <option key={k} value={k}>
                {g.label}
              </option>
            ))}
          </select>
          <label className="sr-only" htmlFor="log-filter">
            Filter by address, door or user
          </label>
          <input id="log-filter" type="search" placeholder="IP, door, user" value={text} onChange={(e) => setText(e.target.value)} style={{ width: "9rem" }} />
          <button type="button" className="btn small" onClick={() => live.setPaused(!live.paused)} aria-pressed={live.paused}>
            {live.paused ? `Resume${live.held ? ` (${live.held} new)` : ""}` : "Pause"}
          </button>
          <button type="button" className="btn small" onClick={live.clear}>
            Clear
          </button>
        </div>
      </div>
      <ol
        className="log"
        ref={listRef}
        aria-live={live.paused ? "off" : "polite"}
        aria-relevant="additions"
        aria-label="Events, newest last"
        data-testid="live-log"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {shown.length === 0 ? (
          <li className="muted">{live.lines.length ? "No events match the filter." : "Waiting for knocks…"}</li>
        ) : (
          shown.map((e) => (
            <li key={e.id} className={`${e.kind}${firstId.current !== null && e.id > firstId.current ? " fresh" : ""}`}>
              <span className="ts">{formatTimestamp(e.ts).slice(11)}</span>
              <span className="msg" title={describeEvent(e)}>
                {describeEvent(e)}
              </span>
            </li>
          ))
        )}
      </ol>
    </section>
  );
}
