"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Dashboard" },
  { href: "/sequences", label: "Sequences" },
  { href: "/users", label: "Users" },
  { href: "/trusted", label: "Trusted" },
  { href: "/gateway", label: "Gateway" },
  { href: "/decoys", label: "Decoys" },
  { href: "/history", label: "History" },
  { href: "/settings", label: "Settings" },
  { href: "/audit", label: "Audit" },
];

export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav className="nav" aria-label="Main">
      {LINKS.map((l) => {
        const active = l.href === "/" ? pathname === "/" : pathname === l.href || pathname.startsWith(`${l.href}/`);
        return (
          <Link key={l.href} href={l.href} aria-current={active ? "page" : undefined}>
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
