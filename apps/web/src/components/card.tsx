import type { ReactNode } from "react";

/** A card section named by its heading (`aria-labelledby` points at the `<h2>`). */
export function Card(props: { headingId: string; title: ReactNode; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby={props.headingId}>
      <h2 id={props.headingId}>{props.title}</h2>
      {props.children}
    </section>
  );
}
