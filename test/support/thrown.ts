/** What `call` throws, or undefined when it returns: for asserting on an error's code and message. */
export function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (err) {
    return err;
  }
  return undefined;
}
