// Trunk's post_build hook (see Trunk.toml): in release builds, minifies the
// JavaScript in the staging folder, chiefly the wasm-bindgen glue, which
// Trunk's own `minify` leaves as it is. File names keep the hash Trunk gave
// them; the output is a fixed function of that input and the pinned terser.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { minify } from 'terser';

const dir = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE === 'release' && dir) {
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.js')) continue;
    const file = path.join(dir, name);
    const result = await minify(await readFile(file, 'utf8'), {
      module: true,
      compress: { passes: 2 },
      format: { comments: false },
    });
    await writeFile(file, result.code);
  }
}
