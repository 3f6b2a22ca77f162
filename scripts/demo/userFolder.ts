// The demo's n8n user folder is a new one, never the N8N_USER_FOLDER of an n8n the user runs: test/helpers/env.ts,
// imported next, makes it and removes it at exit.
delete process.env.N8N_USER_FOLDER;
