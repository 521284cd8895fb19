/**
 * Text with its escaping undone, as far as a leak check needs: backslashes
 * (JSON, and MySQL string literals, at any depth) dropped and SQL's doubled
 * quotes halved. A password holding a quote or a backslash no longer matches
 * its raw text once a log line or a driver's error message has escaped it.
 */
const unescaped = (text: string) => text.replace(/\\/g, '').replace(/''/g, "'");

/** The secrets of at least 4 characters that appear in `text`, raw or escaped. */
export function secretsIn(text: string, secrets: readonly string[]): string[] {
  const haystack = unescaped(text);
  return secrets.filter((secret) => {
    const needle = unescaped(secret);
    return needle.length >= 4 && haystack.includes(needle);
  });
}
