import type { ReactNode } from "react";

/** The branded card the public pages (log in, first setup) stand in. */
export function AuthCard({ children }: { children: ReactNode }) {
  return (
    <div className="auth">
      <div className="card">
        <div className="brand">
          <img src="/sesame.svg" alt="" />
          <span>Sesame</span>
        </div>
        {children}
      </div>
    </div>
  );
}
