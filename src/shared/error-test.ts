/** `retry.on` / `retry.discardOn`: which errors they mean, as one test. */

/** An error class (`TimeoutError`), a list of them, or a test of the error. */
export type ErrorMatcher =
  | (abstract new (
      ...args: never[]
    ) => Error)
  | readonly (abstract new (
      ...args: never[]
    ) => Error)[]
  | ((error: unknown) => boolean);

/** The matcher as one test, or undefined when `value` is not a matcher. */
export function errorTest(value: unknown): ((error: unknown) => boolean) | undefined {
  const isClass = (candidate: unknown): candidate is abstract new (...args: never[]) => Error =>
    typeof candidate === "function" && (candidate === Error || candidate.prototype instanceof Error);
  if (Array.isArray(value)) {
    if (!value.every(isClass)) return undefined;
    return (error) => value.some((errorClass) => error instanceof errorClass);
  }
  if (isClass(value)) return (error) => error instanceof value;
  if (typeof value === "function") return (error) => (value as (error: unknown) => unknown)(error) === true;
  return undefined;
}
