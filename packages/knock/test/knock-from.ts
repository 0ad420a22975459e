// Runs the library's knock() with JSON options from argv[2], inside whatever
// namespace it was started in (the CLI has no source-address option, like knock 0.8).
import { knock, type KnockOptions } from "../src/knock";

const opts = JSON.parse(process.argv[2] ?? "{}") as KnockOptions;
await knock({ ...opts, log: (line) => process.stdout.write(`${line}\n`) });
