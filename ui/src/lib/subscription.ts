// Backend events (Tauri `listen`) answer their subscription later, and a component may be gone by
// then: one helper keeps a subscription for exactly as long as the component is mounted.

/** Subscribes now and returns the cleanup for `onMount`: it stops the subscription, at once or as
 * soon as the subscription answers. A subscription that fails leaves the component without the
 * event (each caller says what that costs). `settled` runs once the subscription is in place or
 * has failed, if the component is still there. */
export function subscribeWhileMounted(subscribe: () => Promise<() => void>, settled?: () => void): () => void {
  let stop: (() => void) | null = null;
  let gone = false;
  subscribe()
    .then(
      (unsubscribe) => {
        if (gone) unsubscribe();
        else stop = unsubscribe;
      },
      () => {},
    )
    .finally(() => {
      if (!gone) settled?.();
    });
  return () => {
    gone = true;
    stop?.();
  };
}
