import { github } from './github.js';
import { html } from './html.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { markdown } from './markdown.js';
import { plain } from './plain.js';
import { pretty } from './pretty.js';
import { sarif } from './sarif.js';
import type { Reporter } from './types.js';

export type { Reporter, ReporterOptions } from './types.js';

/** Every output format, by the name `--format` takes. */
export const reporters = { pretty, plain, json, junit, markdown, github, sarif, html } satisfies Record<string, Reporter>;

export type ReporterName = keyof typeof reporters;
