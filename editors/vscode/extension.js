// The cairn extension: starts `cairn lsp` for *.cairn files. The grammar
// (syntaxes/cairn.tmLanguage.json) highlights without the server; the
// server adds diagnostics, hover, navigation, completion, formatting, code
// actions and semantic tokens.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("cairn");
  const command = config.get("server.path") || "cairn";
  const extraEnv = config.get("server.extraEnv") || {};
  const run = {
    command,
    args: ["lsp"],
    transport: TransportKind.stdio,
    options: { env: Object.assign({}, process.env, extraEnv) },
  };
  client = new LanguageClient(
    "cairn",
    "cairn language server",
    { run, debug: run },
    {
      documentSelector: [
        { scheme: "file", language: "cairn" },
        { scheme: "untitled", language: "cairn" },
      ],
    },
  );
  context.subscriptions.push(
    vscode.commands.registerCommand("cairn.restartServer", () => client.restart()),
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
