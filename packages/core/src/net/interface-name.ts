/**
 * Linux interface names (the kernel's dev_valid_name): 1 to 15 bytes, not
 * "." or "..", no "/", ":" or whitespace.
 */
export function isValidInterfaceName(name: string): boolean {
  return (
    typeof name === "string" &&
    name.length >= 1 &&
    new TextEncoder().encode(name).length <= 15 &&
    name !== "." &&
    name !== ".." &&
    !/[/:\s]/.test(name)
  );
}
