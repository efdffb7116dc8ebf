import { explorerTxUrl } from '@cryptovault/contract';

/**
 * A transaction on its network's block explorer (a new tab): withdrawals sent and deposits paid. The bare hash when
 * the network has no explorer here (`network` null or unknown).
 */
export function TxLink({ network, hash }: { network: string | null; hash: string }) {
  const url = network ? explorerTxUrl(network, hash) : null;
  const short = `${hash.slice(0, 10)}…`;
  return url ? (
    <a href={url} target="_blank" rel="noopener noreferrer" aria-label={`Transaction ${hash} on the explorer (opens in a new tab)`}>
      tx {short}
    </a>
  ) : (
    <span className="num" title={hash}>
      tx {short}
    </span>
  );
}
