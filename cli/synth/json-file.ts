import { readFileSync, statSync } from 'node:fs';
import { inputError } from '../errors';

/**
 * Reads and parses a JSON file, or throws an inputError that names the file
 * and says what is wrong: missing, a folder, or invalid JSON at a line and
 * column. The message never quotes the file's text: V8's own messages can
 * carry a snippet of it, and the file may hold a secret value.
 */
export function readJsonFile(path: string, hint: string): unknown {
  let folder = false;
  let text = '';
  try {
    // A folder is refused below, not here: an error thrown in this try would be taken for the file system's.
    folder = statSync(path).isDirectory();
    if (!folder) text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw inputError(`${path} is missing; ${hint}`);
    if ((error as NodeJS.ErrnoException).code) throw inputError(`${path} cannot be read (${(error as NodeJS.ErrnoException).code}); ${hint}`);
    throw error;
  }
  if (folder) throw inputError(`${path} is a folder, not a JSON file; ${hint}`);
  try {
    return JSON.parse(text);
  } catch {
    const { offset, expected } = jsonSyntaxError(text);
    const before = text.slice(0, offset).split('\n');
    throw inputError(`${path} is not valid JSON: line ${before.length}, column ${before[before.length - 1].length + 1}: expected ${expected}; ${hint}`);
  }
}

class JsonSyntaxError {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {}
}

/** Where `text` (which JSON.parse refused) first goes wrong, and what was expected there. */
export function jsonSyntaxError(text: string): { offset: number; expected: string } {
  let i = 0;
  const fail = (expected: string): never => {
    throw new JsonSyntaxError(i, expected);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => (text.startsWith(word, i) ? (i += word.length) : fail(`"${word}"`));
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail('a closing quote (a control character must be escaped)');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('four hex digits after \\u');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail('a valid escape after \\');
      }
      i++;
    }
    if (i >= text.length) fail('a closing quote');
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail('a number');
    i += match![0].length;
  };
  const sequence = (close: string, item: () => void) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      space();
      if (text[i] === close) return void i++;
      if (text[i] !== ',') fail(`',' or '${close}'`);
      i++;
      space();
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      sequence('}', () => {
        if (text[i] !== '"') fail('a property name in double quotes');
        string();
        space();
        if (text[i] !== ':') fail("':' after the property name");
        i++;
        value();
      });
    } else if (c === '[') sequence(']', value);
    else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else fail(i >= text.length ? 'a value (the file ends early)' : 'a value');
  };
  try {
    value();
    space();
    if (i < text.length) fail('the end of the file');
    return { offset: 0, expected: 'valid JSON' };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { offset: error.offset, expected: error.expected };
    throw error;
  }
}
