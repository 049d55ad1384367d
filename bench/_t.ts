import { provisioningRows } from './provisioning.ts';
console.log(await provisioningRows());
