// A minimal home-automation consumer: prints every live Thing, then every registry event.
//   MQTT_URL=mqtt://127.0.0.1:1883 tsx packages/client/examples/minimal-consumer.ts
import mqtt from 'mqtt';
import { watchRegistry } from '@giotto/client';

const client = await mqtt.connectAsync(process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883', { protocolVersion: 4 });
const watcher = await watchRegistry(client);
process.on('SIGINT', () => void watcher.close().then(() => client.endAsync()));
for await (const update of watcher) {
  if (update.type === 'thing') console.log(`thing ${update.record.thingId}: ${update.record.uuid}`);
  else if (update.type === 'removed') console.log(`thing ${update.thingId} removed`);
  else console.log(`event ${update.event.type}`, update.event);
}
