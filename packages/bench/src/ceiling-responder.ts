// The ceiling: a bare responder that does the least a registry must do (parse the JSON request,
// publish a reply on the per-UUID topic), as its own process, through the same broker.
// Run by bench; argv: <mqtt url> <topic prefix>.
import mqtt from 'mqtt';

const [url = 'mqtt://127.0.0.1:1883', prefix = 'ceiling/'] = process.argv.slice(2);
const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `ceiling-${process.pid}`, clean: true });
(client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
client.on('message', (_topic, payload) => {
  const request = JSON.parse(payload.toString('utf8')) as { uuid: string; publicKey: unknown; requestId?: string };
  const reply = JSON.stringify({ type: 'RegisterThingResponse', uuid: request.uuid, thingId: 1, publicKey: request.publicKey, registryPublicKey: '', requestId: request.requestId });
  client.publish(`${prefix}registry/reply/${request.uuid.toLowerCase()}`, reply, { qos: 1 });
});
await client.subscribeAsync(`${prefix}register`, { qos: 1 });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void client.endAsync(true).then(() => process.exit(0)));
