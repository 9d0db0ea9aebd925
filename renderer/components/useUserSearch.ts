import { useEffect, useState } from 'react';
import type { User } from '../../common/protocol/index.js';
import type { AppController } from '../app/AppController.js';
import { describeError } from '../lib/describeError.js';

/** Debounce before a users.search request, ms. */
const SEARCH_DELAY_MS = 200;

/** Search people by name as the user types; results exclude the user. */
export function useUserSearch(controller: AppController, query: string) {
  const [results, setResults] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);

  useEffect(() => {
    const text = query.trim();
    if (!text) {
      setResults([]);
      setError(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      setSearching(true);
      controller.searchUsers(text).then(
        (users) => {
          if (cancelled) return;
          setResults(users);
          setError(null);
          setSearching(false);
        },
        (caught: unknown) => {
          if (cancelled) return;
          setError(describeError(caught));
          setSearching(false);
        },
      );
    }, SEARCH_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [controller, query]);

  return { results, error, searching };
}
