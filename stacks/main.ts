import { App } from 'cdktf';
import { REFERENCE_STACKS } from './reference-stacks';

// The cdktf app behind `npm run synth` and `npx cdktf synth`: every reference stack.
const app = new App();
for (const [name, Stack] of Object.entries(REFERENCE_STACKS)) new Stack(app, name);
app.synth();
