import { describe, expect, it } from "vitest";
import { markOneTimeSequenceUsed, parseOneTimeSequences, unusedOneTimeSequences } from "./one-time";
import type { Step } from "../types";

const tcp = (port: number): Step => ({ port, protocol: "tcp" });
const udp = (port: number): Step => ({ port, protocol: "udp" });

describe("parseOneTimeSequences", () => {
  const file = [
    "# smtp one-time sequences", // 1: a comment, not a sequence
    "#1000,2000,3000", //            2: used
    " 4000,5000:udp,6000", //        3: first unused (leading space, as knockd's manual advises)
    "", //                           4
    "7000,8000 9000", //             5: spaces accepted
    "70000,1", //                    6: bad: skipped and reported
    "#\t1111,2222", //               7: used, commented after a tab
    "3333:icmp", //                  8: bad
    "  4444  ", //                   9
  ].join("\n");

  it("lists used and unused sequences with their lines, and reports bad lines", () => {
    expect(parseOneTimeSequences(file)).toEqual({
      sequences: [
        { steps: [tcp(1000), tcp(2000), tcp(3000)], line: 2, used: true },
        { steps: [tcp(4000), udp(5000), tcp(6000)], line: 3, used: false },
        { steps: [tcp(7000), tcp(8000), tcp(9000)], line: 5, used: false },
        { steps: [tcp(1111), tcp(2222)], line: 7, used: true },
        { steps: [tcp(4444)], line: 9, used: false },
      ],
      errors: [
        { line: 6, message: "port 70000 is invalid (ports are 1 to 65535)" },
        { line: 8, message: 'unknown protocol in knock sequence: "icmp" (expected tcp or udp)' },
      ],
    });
  });

  it("keeps only unused sequences, in file order", () => {
    expect(unusedOneTimeSequences(parseOneTimeSequences(file)).map((s) => s.line)).toEqual([3, 5, 9]);
  });

  it.each([
    ["", 0],
    ["\n\n", 0],
    ["#1\n#2\n", 0],
    ["1\r\n2\r\n", 2],
  ])("%j has %i unused sequences", (text, n) => {
    const parsed = parseOneTimeSequences(text);
    expect(parsed.errors).toEqual([]);
    expect(unusedOneTimeSequences(parsed)).toHaveLength(n);
  });

  it("never makes a used sequence valid twice, whatever lines sit before it", () => {
    // knockd 0.8 computes the position of the line to mark without counting a
    // preceding bad line, so it marks the bad line and the used sequence stays
    // valid. Here the bad line is reported and the used sequence's own line is marked.
    let text = "bogus\n 1,2,3\n 4,5,6\n";
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const parsed = parseOneTimeSequences(text);
      const active = unusedOneTimeSequences(parsed)[0];
      if (!active) break;
      seen.push(active.steps.map((s) => s.port).join(","));
      text = markOneTimeSequenceUsed(text, active.line);
    }
    expect(seen).toEqual(["1,2,3", "4,5,6"]);
    expect(text).toBe("bogus\n#1,2,3\n#4,5,6\n");
    expect(parseOneTimeSequences(text).errors).toEqual([{ line: 1, message: "port bogus is invalid (ports are 1 to 65535)" }]);
  });
});

describe("markOneTimeSequenceUsed", () => {
  it.each([
    ["overwrites a leading space like knockd", " 1,2\n 3,4\n", 1, "#1,2\n 3,4\n"],
    ["overwrites a leading tab", "\t1,2\n", 1, "#1,2\n"],
    ["inserts # when the line starts with a digit", "1,2\n3,4\n", 2, "1,2\n#3,4\n"],
    ["keeps CRLF endings", " 1,2\r\n 3,4\r\n", 2, " 1,2\r\n#3,4\r\n"],
    ["works on a last line without newline", "1\n2", 2, "1\n#2"],
    ["leaves a used line alone", "#1,2\n", 1, "#1,2\n"],
    ["leaves a blank line alone", "\n1\n", 1, "\n1\n"],
    ["ignores a line past the end", "1\n", 3, "1\n"],
    ["ignores line 0", "1\n", 0, "1\n"],
  ])("%s", (_label, text, line, expected) => {
    expect(markOneTimeSequenceUsed(text, line)).toBe(expected);
  });

  it("changes only the marked line's first byte (or inserts one) and nothing else", () => {
    const text = "# header\n 7000,8000:udp\n 9000,1000\n\n 1,2,3   \n";
    const marked = markOneTimeSequenceUsed(text, 3);
    expect(marked.length).toBe(text.length);
    const diffs = [...text].map((c, i) => (c === marked[i] ? -1 : i)).filter((i) => i >= 0);
    expect(diffs).toEqual([text.indexOf(" 9000")]);
    const inserted = markOneTimeSequenceUsed("a\n1,2\nz", 2);
    expect(inserted).toBe("a\n#1,2\nz");
  });
});
