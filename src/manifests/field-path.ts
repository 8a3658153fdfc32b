// Findings name fields the way kubectl users read them: `spec.containers[0].securityContext.privileged`,
// `metadata.labels["cost-center"]`. This turns such a path back into the keys and indexes it walks.

export type PathSegment = string | number;

const NAME = /[^.[\]]+/y;
const INDEX = /\[(\d+)\]/y;
const QUOTED_KEY = /\[("(?:[^"\\]|\\.)*")\]/y;

/**
 * The segments of a field path. Parsing stops at the first thing it does not understand, so a malformed
 * path still locates its longest well-formed prefix.
 */
export function parseFieldPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let at = 0;
  const take = (pattern: RegExp): RegExpExecArray | null => {
    pattern.lastIndex = at;
    const match = pattern.exec(path);
    if (match) at = pattern.lastIndex;
    return match;
  };
  while (at < path.length) {
    if (path[at] === '.' && segments.length > 0) at++;
    const name = take(NAME);
    if (name) {
      segments.push(name[0]);
      continue;
    }
    const index = take(INDEX);
    if (index?.[1] !== undefined) {
      segments.push(Number(index[1]));
      continue;
    }
    const quoted = take(QUOTED_KEY);
    if (quoted?.[1] !== undefined) {
      try {
        segments.push(JSON.parse(quoted[1]) as string);
        continue;
      } catch {
        break;
      }
    }
    break;
  }
  return segments;
}

/** Paths repeat from object to object (`spec.containers[0].securityContext.privileged`): parse each once. */
const parsedPaths = new Map<string, readonly PathSegment[]>();
const MAX_PARSED_PATHS = 10_000;

/** parseFieldPath, remembered: the segments must not be changed. */
export function fieldPathSegments(path: string): readonly PathSegment[] {
  let segments = parsedPaths.get(path);
  if (segments === undefined) {
    // Paths that name map keys (labels, annotations) are as many as the keys: forget them all now and then.
    if (parsedPaths.size >= MAX_PARSED_PATHS) parsedPaths.clear();
    segments = parseFieldPath(path);
    parsedPaths.set(path, segments);
  }
  return segments;
}
