//! `cairn lsp` through a real client: the built binary is started, spoken
//! to in Content-Length framed JSON-RPC over its standard input and output,
//! and every answer is read with a time limit (a reader thread and a
//! channel), so a server that hangs fails the test instead of CI.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

/// How long one answer may take.
const WAIT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        Client::start_with(&[])
    }

    fn start_with(args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
            .arg("lsp")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            messages: rx,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its response (notifications met on the
    /// way are dropped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.next();
            if message["id"] == json!(id) && message.get("method").is_none() {
                return message;
            }
        }
    }

    /// The result of a request that must succeed.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn next(&mut self) -> Value {
        self.messages
            .recv_timeout(WAIT)
            .unwrap_or_else(|e| panic!("no message from cairn lsp within {WAIT:?}: {e}"))
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let m = self.next();
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    /// Closes the input and waits for the exit status (with a limit).
    fn finish(mut self) -> (Option<i32>, String) {
        drop(self.stdin.take());
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                self.child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                return (status.code(), err);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("cairn lsp did not exit");
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("keys")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("tests/keys/alice.pub"),
        dir.join("keys/alice.pub"),
    )
    .unwrap();
    dir
}

fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

/// Line and UTF-16 character of the `nth` occurrence of `needle`, plus `plus` characters.
fn pos(text: &str, needle: &str, nth: usize, plus: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).unwrap().0;
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let line = text[..at].matches('\n').count();
    let character = text[line_start..at].encode_utf16().count() + plus;
    json!({"line": line, "character": character})
}

const BROKEN: &str = r#"layout "demo" {
  key alice = file "keys/alice.pub"
  step build {
    by alcie
  }
  step build {
    by alice
  }
  artifact from biuld
}
"#;

const GOOD: &str = r#"layout "demo" {
  key alice = file "keys/alice.pub"
  param repo = "https://git.example.com/demo.git"
  step checkout {
    by alice
    command "git" "clone" "é😀{repo}"
    products {
      create "src/*"
    }
  }
  step build {
    by alice
    attestation slsa-provenance/v1 {
      materials {
        match "src/*" with products from checkout
      }
      require $.runDetails.builder.id == "https://ci.example.com"
    }
  }
  artifact from build
}
"#;

const UGLY: &str =
    "layout \"demo\" {   key alice = file \"keys/alice.pub\"\n step s { by alice } }";

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn shown(diagnostics: &[Value]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&format!(
            "{} {}:{} severity {}: {}\n",
            d["code"].as_str().unwrap(),
            d["range"]["start"]["line"],
            d["range"]["start"]["character"],
            d["severity"],
            d["message"].as_str().unwrap()
        ));
        for r in d["relatedInformation"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "  related {}:{}: {}\n",
                r["location"]["range"]["start"]["line"],
                r["location"]["range"]["start"]["character"],
                r["message"].as_str().unwrap()
            ));
        }
    }
    out
}

#[test]
fn a_session_through_stdio() {
    let dir = scratch("session");
    let path = dir.join("policy.cairn");
    std::fs::write(&path, BROKEN).unwrap();
    let uri = file_uri(&path);
    let mut c = Client::start();

    let init = c.call(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": ["utf-16"]}}}),
    );
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "completionProvider",
        "documentFormattingProvider",
        "codeActionProvider",
        "semanticTokensProvider",
        "documentSymbolProvider",
    ] {
        assert!(!caps[cap].is_null(), "{cap} missing: {caps}");
    }
    c.notify("initialized", json!({}));

    // A broken policy: diagnostics with codes and related places.
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "cairn", "version": 1, "text": BROKEN}}),
    );
    let diags = c.diagnostics(&uri);
    let got = codes(&diags);
    for code in ["E201", "E203", "E200"] {
        assert!(got.contains(&code.to_string()), "{got:?}");
    }
    insta::assert_snapshot!("lsp_broken_diagnostics", shown(&diags));

    // "did you mean" as a code action.
    let actions = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": pos(BROKEN, "alcie", 0, 0), "end": pos(BROKEN, "alcie", 0, 5)}, "context": {"diagnostics": []}}),
    );
    let fix = &actions[0];
    assert_eq!(fix["title"], "Replace with `alice`");
    assert_eq!(fix["edit"]["changes"][&uri][0]["newText"], "alice");

    // The whole text replaced: a valid policy, with a non-ASCII line.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": GOOD}]}),
    );
    let diags = c.diagnostics(&uri);
    assert!(
        diags.iter().all(|d| d["severity"] != 1),
        "{}",
        shown(&diags)
    );

    // Saving analyses again (key files may have changed): same diagnostics.
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(codes(&c.diagnostics(&uri)), codes(&diags));

    // Hover on a key: its kind and keyid, the key file read beside the policy.
    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(GOOD, "by alice", 0, 4)}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("keyid `c837cb83da121ce49a760b7153c7e255575cc492664c447bc83fecf22d33ce3a`"),
        "{text}"
    );
    insta::assert_snapshot!("lsp_hover_key", text);

    // Positions after non-ASCII characters count UTF-16 units: `{repo}`
    // after `é😀` is a parameter reference, and its definition is found.
    let at_repo = pos(GOOD, "{repo}", 0, 2);
    let def = c.call(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": at_repo}),
    );
    assert_eq!(def["range"]["start"], pos(GOOD, "repo =", 0, 0));
    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at_repo}),
    );
    assert_eq!(hover["range"]["start"], pos(GOOD, "{repo}", 0, 1));
    assert_eq!(hover["range"]["end"], pos(GOOD, "{repo}", 0, 5));

    // Definition of a step from `from checkout`.
    let def = c.call(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": pos(GOOD, "from checkout", 0, 7)}),
    );
    assert_eq!(def["uri"], uri.as_str());
    assert_eq!(def["range"]["start"], pos(GOOD, "checkout {", 0, 0));
    assert_eq!(def["range"]["end"], pos(GOOD, "checkout {", 0, 8));

    // Definition of a key file: the file beside the policy.
    let def = c.call(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": pos(GOOD, "keys/alice.pub", 0, 2)}),
    );
    assert_eq!(def["uri"], file_uri(&dir.join("keys/alice.pub")));

    // References and rename of the key.
    let refs = c.call(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": pos(GOOD, "key alice", 0, 4), "context": {"includeDeclaration": true}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 3);
    let edit = c.call(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": pos(GOOD, "by alice", 0, 4), "newName": "ci"}),
    );
    assert_eq!(edit["changes"][&uri].as_array().unwrap().len(), 3);
    let bad = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": pos(GOOD, "by alice", 0, 4), "newName": "9 lives"}),
    );
    assert_eq!(bad["error"]["code"], -32602);
    let clash = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": pos(GOOD, "from checkout", 0, 7), "newName": "build"}),
    );
    assert_eq!(clash["error"]["code"], -32602);
    insta::assert_snapshot!(
        "lsp_rename_refused",
        format!(
            "{}\n{}",
            bad["error"]["message"].as_str().unwrap(),
            clash["error"]["message"].as_str().unwrap()
        )
    );

    // Hover on a JSONPath segment: the field's documentation.
    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(GOOD, ".id ==", 0, 1)}),
    );
    insta::assert_snapshot!(
        "lsp_hover_field",
        hover["contents"]["value"].as_str().unwrap()
    );

    // Symbols and semantic tokens.
    let symbols = c.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = symbols[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["alice", "repo", "checkout", "build", "artifact from build"]
    );
    let tokens = c.call(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(tokens["data"].as_array().unwrap().len() % 5, 0);
    assert!(tokens["data"].as_array().unwrap().len() > 50);

    // Completion of predicate fields while typing a check (an incremental
    // change that leaves the policy unparsable).
    let line = pos(GOOD, "      require $.runDetails", 0, 0);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [
            {"range": {"start": line, "end": line}, "text": "      warn $.runDetails.b\n"}
        ]}),
    );
    let diags = c.diagnostics(&uri);
    assert_eq!(codes(&diags), vec!["E100"]);
    let mut typing = line.clone();
    typing["character"] = json!("      warn $.runDetails.b".len());
    let items = c.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": typing}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, vec!["builder", "byproducts"]);
    assert_eq!(items[0]["textEdit"]["newText"], "builder");

    // Formatting.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": UGLY}]}),
    );
    c.diagnostics(&uri);
    let edits = c.call(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(
        edits[0]["newText"],
        "layout \"demo\" {\n  key alice = file \"keys/alice.pub\"\n  step s {\n    by alice\n  }\n}\n"
    );

    // Shutdown, exit: status 0.
    let result = c.request("shutdown", Value::Null);
    assert_eq!(result["result"], Value::Null);
    c.notify("exit", Value::Null);
    let (status, _) = c.finish();
    assert_eq!(status, Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let dir = scratch("utf8");
    let uri = file_uri(&dir.join("p.cairn"));
    let mut c = Client::start();
    let init = c.call(
        "initialize",
        json!({"capabilities": {"general": {"positionEncodings": ["utf-8", "utf-16"]}}}),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "cairn", "version": 1, "text": GOOD}}),
    );
    c.diagnostics(&uri);
    let at = GOOD.find("{repo}").unwrap() + 2;
    let line_start = GOOD[..at].rfind('\n').unwrap() + 1;
    let line = GOOD[..at].matches('\n').count();
    let def = c.call(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": at - line_start}}),
    );
    assert_eq!(def["range"]["start"], pos(GOOD, "repo =", 0, 0));
    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": at - line_start}}),
    );
    assert_eq!(
        hover["range"]["start"]["character"],
        json!(at - 1 - line_start)
    );
    drop(c.stdin.take());
    let (status, _) = c.finish();
    // The input closed without `shutdown`.
    assert_eq!(status, Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn protocol_errors() {
    let mut c = Client::start();
    let early = c.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    c.call("initialize", json!({"capabilities": {}}));
    let unknown = c.request("workspace/symbol", json!({"query": ""}));
    assert_eq!(unknown["error"]["code"], -32601);
    let bad = c.request("textDocument/hover", json!({"nonsense": 1}));
    assert_eq!(bad["error"]["code"], -32602);
    let mut shown = String::new();
    for r in [&early, &unknown, &bad] {
        shown.push_str(r["error"]["message"].as_str().unwrap());
        shown.push('\n');
    }
    // A frame that is not JSON: the server stops with status 2.
    let stdin = c.stdin.as_mut().unwrap();
    write!(stdin, "Content-Length: 5\r\n\r\nnope!").unwrap();
    stdin.flush().unwrap();
    let (status, err) = c.finish();
    assert_eq!(status, Some(2));
    shown.push_str(&err);
    insta::assert_snapshot!("lsp_protocol_errors", shown);
}

#[test]
fn the_stdio_flag_of_editors_is_accepted() {
    // VS Code's language client adds `--stdio` to the command line.
    let mut c = Client::start_with(&["--stdio"]);
    c.call("initialize", json!({"capabilities": {}}));
    c.notify("initialized", json!({}));
    c.call("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    let (status, err) = c.finish();
    assert_eq!((status, err.as_str()), (Some(0), ""));
}

/// A policy that imports a library is compiled with it, read from disk
/// beside the policy: the release example has no diagnostics, and an
/// import of a file that is not there is `E260`.
#[test]
fn imports_are_followed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("policies/release/policy.cairn");
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = file_uri(&path);
    let mut c = Client::start();
    c.call("initialize", json!({"capabilities": {}}));
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "cairn", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(&uri);
    assert!(diags.is_empty(), "{}", shown(&diags));
    let broken = text.replace("../baselines/slsa-l3.cairn", "../baselines/missing.cairn");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let diags = c.diagnostics(&uri);
    assert!(
        codes(&diags).contains(&"E260".to_string()),
        "{}",
        shown(&diags)
    );
    c.call("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.finish().0, Some(0));
}
