import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNotify, useRefresh } from 'react-admin';
import { problemOf } from '../api/http';

export interface Conflict {
  name?: string;
}

// Runs a change to the case and then shows the case as it now is. A stale version (someone else
// changed the case meanwhile) is not an error toast: it opens the conflict dialog, which says who
// and offers to reload; nothing is overwritten.
export function useCaseAction() {
  const notify = useNotify();
  const refresh = useRefresh();
  const queryClient = useQueryClient();
  const [conflict, setConflict] = useState<Conflict>();
  const [busy, setBusy] = useState(false);

  const run = async <T>(
    work: () => Promise<T>,
    success?: { message: string; args?: Record<string, unknown> },
  ) => {
    setBusy(true);
    try {
      const result = await work();
      if (success) notify(success.message, { type: 'success', messageArgs: success.args });
      await queryClient.invalidateQueries({ queryKey: ['case'] });
      refresh();
      return result;
    } catch (error) {
      const problem = problemOf(error);
      if (problem?.code === 'stale_version') {
        setConflict({ name: (problem.lastChangedByName as string | null) ?? undefined });
      } else {
        notify(error instanceof Error ? error.message : String(error), {
          type: 'error',
          autoHideDuration: 10_000,
        });
      }
      throw error;
    } finally {
      setBusy(false);
    }
  };

  const reload = async () => {
    setConflict(undefined);
    await queryClient.invalidateQueries({ queryKey: ['case'] });
    refresh();
  };

  return { run, busy, conflict, reload, dismissConflict: () => setConflict(undefined) };
}
