// The heap settings of `policygate audit` and `policygate check`, set before the command's modules load
// (cli/commands.ts). Both judge a stream (list pages; documents) whose objects die once judged. V8 grows
// a young generation up to 16 MB per semi-space once much survives a scavenge (loading client-node's
// thousand modules is such a time, and a grown young generation never shrinks back), and lets the old
// generation reach several times what a full collection left. The audit's live state is small (its
// result lines, the owner index, the item being judged) and everything else dies at once, so: a young
// generation that does not grow, and an old generation that grows by 30 % of what is live. 100,000
// pods then peak at about 190 MB of RSS instead of 410 MB, for no more CPU (README, "How fast"); `check`
// over 113,000 pods on standard input at about 140 MB instead of 440 MB (`npm run bench -- check-stream`). Both
// settings are read at each collection, so they take effect when set at run time.
import { setFlagsFromString } from 'node:v8';

export function boundHeap(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=30');
}
