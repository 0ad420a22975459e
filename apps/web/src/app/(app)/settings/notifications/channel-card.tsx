import { formatDuration, NOTIFY_KIND_NOUNS, WEBHOOK_PRESET_LABELS } from "@sesame/core";
import Link from "next/link";
import { ConfirmDelete } from "@/components/confirm-delete";
import { LocalTime } from "@/components/local-time";
import { deleteChannelAction } from "@/server/actions/notifications";
import type { ChannelView } from "@/server/notify/channels";
import { ChannelToggle, TestChannelButton } from "./channel-actions";

function target(ch: ChannelView): string {
  if (ch.config.type === "webhook") return `${WEBHOOK_PRESET_LABELS[ch.config.preset].split(" (")[0]} → ${ch.config.urlHint}`;
  return `${ch.config.host}:${ch.config.port} (${ch.config.security === "none" ? "plain" : ch.config.security.toUpperCase()}) → ${ch.config.to.join(", ")}`;
}

/** One channel: where it goes, what it gets, and how its deliveries went. */
export function ChannelCard({ ch }: { ch: ChannelView }) {
  const failing = ch.lastErrorAt !== null && (ch.lastSuccessAt === null || ch.lastErrorAt > ch.lastSuccessAt);
  return (
    <section className="card stack" aria-labelledby={`h-ch-${ch.id}`} data-testid={`channel-${ch.name}`}>
      <div className="card-head">
        <h2 id={`h-ch-${ch.id}`}>{ch.name}</h2>
        <div className="row">
          <span className="badge info">{ch.type === "webhook" ? "webhook" : "e-mail"}</span>
          <span className={`badge ${ch.enabled ? "ok" : ""}`}>{ch.enabled ? "enabled" : "disabled"}</span>
          {failing ? <span className="badge danger">failing</span> : ch.lastSuccessAt !== null ? <span className="badge ok">delivering</span> : null}
        </div>
      </div>
      <dl className="kv">
        <dt>Sends to</dt>
        <dd className="mono small">{target(ch)}</dd>
        <dt>Events</dt>
        <dd>{ch.events.map((k) => NOTIFY_KIND_NOUNS[k][1]).join(", ")}</dd>
        <dt>Rate limit</dt>
        <dd>
          {ch.rateCount} per {formatDuration(ch.ratePerSec)}, then a digest
        </dd>
        <dt>Last success</dt>
        <dd data-testid="last-success">{ch.lastSuccessAt ? <LocalTime ts={ch.lastSuccessAt} /> : <span className="muted">never</span>}</dd>
        <dt>Last error</dt>
        <dd data-testid="last-error">
          {ch.lastErrorAt ? (
            <>
              <LocalTime ts={ch.lastErrorAt} /> <span className={failing ? "field-error" : "muted"}>{ch.lastError}</span>
            </>
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        <dt>Deliveries</dt>
        <dd data-testid="counts">
          {ch.sentCount} sent · {ch.failedCount} failed attempts · {ch.pending} waiting · {ch.droppedCount} given up · {ch.heldCount} folded into digests
        </dd>
      </dl>
      <div className="row">
        <TestChannelButton id={ch.id} name={ch.name} />
        <span className="spacer" />
        <Link className="btn small" href={`/settings/notifications/${ch.id}`} aria-label={`Edit ${ch.name}`}>
          Edit
        </Link>
        <ChannelToggle id={ch.id} name={ch.name} enabled={ch.enabled} />
        <ConfirmDelete action={deleteChannelAction} id={ch.id} what={ch.name} />
      </div>
    </section>
  );
}
