/**
 * The emulators' pre-flight answers, kept apart from the emulators' state machines (each emulator calls
 * one of these from its request handler; test/emulators/README.md, "Pre-flight", cites the sources):
 *  - EC2 `DryRun=true`: DryRunOperation (412) when the caller may make the call, UnauthorizedOperation
 *    (403) when the action is in the emulator's `denied` set; the call itself is never applied.
 *  - Compute Engine `POST .../instances/{name}/testIamPermissions`: answers the subset of the asked
 *    permissions not in `denied` (an empty object when none is granted).
 *  - ARM `GET {scope}/providers/Microsoft.Authorization/permissions`: one permission entry, actions `*`
 *    with the denied actions as notActions.
 */

/** The error an EC2 request with `DryRun=true` gets, or null when it is not a dry run. */
export function ec2DryRun(
  q: URLSearchParams,
  action: string,
  denied: ReadonlySet<string>,
): { code: string; message: string; status: number } | null {
  if (q.get('DryRun') !== 'true') return null;
  if (denied.has(action))
    return {
      code: 'UnauthorizedOperation',
      message: `You are not authorized to perform this operation. (ec2:${action})`,
      status: 403,
    };
  return {
    code: 'DryRunOperation',
    message: 'Request would have succeeded, but DryRun flag is set.',
    status: 412,
  };
}

/** The answer to a GCE testIamPermissions body: the permissions asked for and not denied. */
export function gceTestIamPermissions(body: string, denied: ReadonlySet<string>): Record<string, unknown> {
  const asked = (JSON.parse(body || '{}') as { permissions?: unknown }).permissions;
  const granted = (Array.isArray(asked) ? asked : []).filter(
    (p): p is string => typeof p === 'string' && !denied.has(p),
  );
  return granted.length > 0 ? { permissions: granted } : {};
}

/** The ARM permissions list of any scope: everything but the denied actions. */
export function armPermissions(denied: ReadonlySet<string>): Record<string, unknown> {
  return { value: [{ actions: ['*'], notActions: [...denied], dataActions: [], notDataActions: [] }] };
}
