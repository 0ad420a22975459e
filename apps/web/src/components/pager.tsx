import Link from "next/link";

/** Keyset paging links; each one shows only when it has somewhere to go. */
export function Pager(props: { newest?: string; newer?: string; older?: string }) {
  return (
    <nav className="pager" aria-label="Pages">
      {props.newest ? (
        <Link className="btn small" href={props.newest}>
          Newest
        </Link>
      ) : null}
      {props.newer ? (
        <Link className="btn small" href={props.newer}>
          ← Newer
        </Link>
      ) : null}
      {props.older ? (
        <Link className="btn small" href={props.older}>
          Older →
        </Link>
      ) : null}
    </nav>
  );
}
