// The binary's version, in a module of its own so a command can name it without loading the command table.
export const VERSION = '0.1.0';
