"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-render the server parts of a page (chart, counts) now and then; client state is kept. */
export function AutoRefresh({ everyMs }: { everyMs: number }) {
  const router = useRouter();
  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, everyMs);
    return () => clearInterval(t);
  }, [router, everyMs]);
  return null;
}
