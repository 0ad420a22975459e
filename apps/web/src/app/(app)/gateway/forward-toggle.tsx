"use client";

import { EnableToggle } from "@/components/enable-toggle";
import { toggleForwardAction } from "@/server/actions/forwards";

/** Enable/disable a forward from the list. */
export function ForwardToggle(props: { id: number; name: string; enabled: boolean }) {
  return <EnableToggle {...props} action={toggleForwardAction} />;
}
