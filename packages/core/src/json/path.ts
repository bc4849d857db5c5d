/** A path into parsed JSON: object keys and array indices, from the root. */
export type Path = readonly PropertyKey[];

/** `graph.nodes.n3.inputs[1]`; a key that is not an identifier is quoted: `nodes["a b"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(seg))) out += `${out === '' ? '' : '.'}${String(seg)}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out || '<root>';
}
