// A minimal Thing: keeps its key pair in thing-key.jwk and registers on every boot (idempotent).
//   MQTT_URL=mqtt://127.0.0.1:1883 node packages/client/dist-examples/minimal-thing.js   (or run with tsx)
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { loadOrCreateThingKeys, RegistryClient } from '@giotto/client';

const url = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
// The embedded broker speaks MQTT 3.1.1; an external mosquitto speaks 5.
const protocolVersion = process.env.MQTT_VERSION === '5' ? 5 : 4;

const uuid = await readFile('thing-uuid.txt', 'utf8').catch(async () => {
  const fresh = randomUUID();
  await writeFile('thing-uuid.txt', fresh);
  return fresh;
});
const keys = await loadOrCreateThingKeys('thing-key.jwk');
const registry = await RegistryClient.connect(url, { protocolVersion, mqtt: { clientId: uuid } });
const { thingId } = await registry.registerThing({ uuid, keys });
console.log(`registered ${uuid} as thingId ${thingId}`);
await registry.close();
