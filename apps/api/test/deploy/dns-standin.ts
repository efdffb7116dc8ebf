import { createSocket, type RemoteInfo } from 'node:dgram';

/**
 * A local stand-in for Fly's internal DNS (fdaa::3): answers TXT questions over UDP from a table, NXDOMAIN for
 * names it does not know, and can stay silent to exercise timeouts. Wire format per RFC 1035.
 */
export interface DnsStandIn {
  /** `host:port` for Resolver#setServers / FLY_DNS_SERVER. */
  address: string;
  /** Names asked, in order (lower case). */
  queries: string[];
  txt: Map<string, string[]>;
  silent: boolean;
  close(): Promise<void>;
}

const TYPE_TXT = 16;
const CLASS_IN = 1;

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  while (i < msg.length) {
    const len = msg[i]!;
    if (len === 0) return { name: labels.join('.'), end: i + 1 };
    labels.push(msg.toString('ascii', i + 1, i + 1 + len));
    i += 1 + len;
  }
  throw new Error('truncated name');
}

/** TXT rdata: each string as <length><bytes>, split into chunks of at most 255 bytes as DNS requires. */
function txtRdata(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
    if (bytes.length === 0) break;
  }
  return Buffer.concat(parts);
}

function answer(query: Buffer, table: Map<string, string[]>): { reply: Buffer; name: string } {
  const id = query.readUInt16BE(0);
  const { name, end } = readName(query, 12);
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const values = table.get(name.toLowerCase());
  const records = qtype === TYPE_TXT && values ? values : [];
  const rcode = values ? 0 : 3; // NXDOMAIN for unknown names
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8180 | rcode, 2); // response, recursion desired + available
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((value) => {
    const rdata = txtRdata(value);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(TYPE_TXT, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(5, 6);
    rr.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([rr, rdata]);
  });
  return { reply: Buffer.concat([header, question, ...answers]), name };
}

export async function startDnsStandIn(txt: Record<string, string[]> = {}): Promise<DnsStandIn> {
  const socket = createSocket('udp4');
  const state: DnsStandIn = {
    address: '',
    queries: [],
    txt: new Map(Object.entries(txt).map(([k, v]) => [k.toLowerCase(), v])),
    silent: false,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    try {
      const { reply, name } = answer(msg, state.txt);
      state.queries.push(name.toLowerCase());
      if (!state.silent) socket.send(reply, from.port, from.address);
    } catch {
      // malformed query: a real server would answer FORMERR; ignoring it is enough here
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  state.address = `127.0.0.1:${socket.address().port}`;
  return state;
}
