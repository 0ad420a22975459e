/**
 * The line format fwknopd reads both its files in (access.c,
 * config_init.c): a line whose first character is `#`, `;` or a line end is
 * skipped; otherwise `sscanf("%s %[^;\n\r]")`: the first word is the
 * directive (a trailing `:` dropped), the rest up to a `;` is the value,
 * trailing white space removed. A directive with no value is an error.
 */

export interface ConfLine {
  line: number;
  /** As written (fwknopd compares them case-sensitively). */
  name: string;
  value: string;
}

export interface FwknopConfMessage {
  line: number;
  message: string;
}

export function readFwknopLines(text: string): { lines: ConfLine[]; errors: FwknopConfMessage[] } {
  const lines: ConfLine[] = [];
  const errors: FwknopConfMessage[] = [];
  text.split("\n").forEach((raw, i) => {
    const s = raw.replace(/\r$/, "");
    const first = s[0];
    if (first === undefined || first === "#" || first === ";" || first === "\r") return;
    const m = /^\s*(\S+)\s+([^;\r\n]*)/.exec(s);
    const value = m ? (m[2] as string).replace(/\s+$/, "") : "";
    if (!m || value === "") {
      // A line of blanks only is what fwknopd calls an invalid entry too. A lone word is not
      // repeated: it may be a key wrapped onto a line of its own.
      errors.push({ line: i + 1, message: `invalid entry (a directive and a value expected)${m ? ` for ${m[1]}` : ""}` });
      return;
    }
    lines.push({ line: i + 1, name: (m[1] as string).replace(/:$/, ""), value });
  });
  return { lines, errors };
}

/** fwknopd's booleans: a value starting with Y or y is yes, anything else no. */
export function isYes(value: string): boolean {
  return /^y/i.test(value);
}
