import { App } from 'cdktf';
import { PostgresRotationStack } from './postgres-rotation';

// The cdktf app behind `npm run synth` and `npx cdktf synth`: every reference stack.
const app = new App();
new PostgresRotationStack(app, 'postgres-rotation');
app.synth();
