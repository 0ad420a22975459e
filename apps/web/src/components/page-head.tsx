import type { ReactNode } from "react";

/** A page's title, its one-paragraph description, and an optional main action on the right. */
export function PageHead(props: { title: ReactNode; action?: ReactNode; children: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>{props.title}</h1>
        <p>{props.children}</p>
      </div>
      {props.action}
    </div>
  );
}
