import type { ReactNode } from "react";

/**
 * The empty-state message, or the scrolling table with one `<th scope="col">`
 * per column: the scaffolding every list shares. `cards` lets rows turn into
 * cards on narrow screens (their cells then need `data-label`); `actions`
 * appends the row-actions column, labelled for screen readers only.
 */
export function DataTable<T>(props: {
  rows: readonly T[];
  columns: readonly string[];
  empty: ReactNode;
  cards?: boolean;
  actions?: boolean;
  testId?: string;
  /** Renders one row; give the `<tr>` its key. */
  children: (row: T) => ReactNode;
}) {
  if (props.rows.length === 0) return <p className="empty">{props.empty}</p>;
  return (
    <div className="table-wrap">
      <table className={props.cards ? "cards" : undefined} data-testid={props.testId}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            {props.actions ? (
              <th scope="col" className="actions">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{props.rows.map(props.children)}</tbody>
      </table>
    </div>
  );
}
