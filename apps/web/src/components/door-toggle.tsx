"use client";

import { EnableToggle } from "@/components/enable-toggle";
import { toggleDoorAction } from "@/server/actions/doors";

/** Enable/disable switch for the door lists. */
export function DoorToggle(props: { id: number; name: string; enabled: boolean }) {
  return <EnableToggle {...props} action={toggleDoorAction} />;
}
