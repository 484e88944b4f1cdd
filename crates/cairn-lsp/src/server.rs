//! The server loop: JSON-RPC messages in, responses and diagnostics out.
//!
//! One thread, one message at a time: every document is re-analysed when it
//! changes (a policy is small) and its diagnostics published at once.
//! Messages are framed and parsed by `lsp-server`; the protocol's types are
//! `lsp-types`.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CompletionItem, CompletionItemKind, CompletionOptions,
    CompletionParams, CompletionTextEdit, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentFormattingParams, DocumentSymbolParams,
    DocumentSymbolResponse, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, HoverProviderCapability, InitializeParams, InitializeResult, Location,
    MarkupContent, MarkupKind, NumberOrString, OneOf, PositionEncodingKind, PrepareRenameResponse,
    PublishDiagnosticsParams, ReferenceParams, RenameOptions, RenameParams, SemanticToken,
    SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensFullOptions,
    SemanticTokensLegend, SemanticTokensOptions, SemanticTokensParams, SemanticTokensResult,
    SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo, TextDocumentIdentifier,
    TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
    WorkspaceEdit,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::actions;
use cairn_lang::syntax::ast;

use crate::analysis::{Analysis, Level, Problem};
use crate::complete::{self, What};
use crate::hover;
use crate::index::{DefKind, Symbol};
use crate::lines::{Encoding, Lines};
use crate::outline;
use crate::tokens;

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `shutdown`, then `exit`: exit status 0.
    Clean,
    /// `exit` without `shutdown`, or the input closed: exit status 1.
    Abrupt,
}

/// Why the server stopped before `exit`.
#[derive(Debug)]
pub enum Error {
    /// A message from the client could not be read (a malformed frame or
    /// JSON included).
    Read(std::io::Error),
    /// An answer could not be written (the client went away).
    Write(std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Read(e) => write!(f, "cannot read a message from the client: {e}"),
            Error::Write(e) => write!(f, "cannot write to the client: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// An open document.
struct Doc {
    uri: Uri,
    version: i32,
    analysis: Analysis,
}

/// The state of a session.
struct Server<'a, W: Write> {
    out: W,
    clock: &'a dyn Fn() -> i64,
    encoding: Encoding,
    initialized: bool,
    shutdown: bool,
    docs: BTreeMap<String, Doc>,
}

/// A request's failure: a JSON-RPC error code and message.
type Failure = (ErrorCode, String);

/// Serves one client on `input`/`output` until `exit` or the end of the
/// input. `clock` gives the current time (seconds since the Unix epoch) for
/// the expiry lint rules.
pub fn serve<R: BufRead, W: Write>(
    mut input: R,
    output: W,
    clock: &dyn Fn() -> i64,
) -> Result<Exit, Error> {
    let mut server = Server {
        out: output,
        clock,
        encoding: Encoding::Utf16,
        initialized: false,
        shutdown: false,
        docs: BTreeMap::new(),
    };
    while let Some(message) = Message::read(&mut input).map_err(Error::Read)? {
        match message {
            Message::Request(request) => server.request(request)?,
            Message::Notification(n) if n.method == notif::Exit::METHOD => {
                return Ok(if server.shutdown {
                    Exit::Clean
                } else {
                    Exit::Abrupt
                });
            }
            Message::Notification(n) => server.notification(n)?,
            Message::Response(_) => {}
        }
    }
    Ok(Exit::Abrupt)
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, Failure> {
    serde_json::from_value(value)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

impl<W: Write> Server<'_, W> {
    fn send(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        message.into().write(&mut self.out).map_err(Error::Write)?;
        self.out.flush().map_err(Error::Write)
    }

    fn request(&mut self, request: Request) -> Result<(), Error> {
        let id = request.id.clone();
        let result = if request.method == req::Initialize::METHOD {
            self.initialize(request.params)
        } else if !self.initialized {
            Err((
                ErrorCode::ServerNotInitialized,
                "the server is not initialized".to_string(),
            ))
        } else if self.shutdown {
            Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".to_string(),
            ))
        } else {
            self.answer(&request.method, request.params)
        };
        let response = match result {
            Ok(value) => Response {
                id,
                response_result: Ok(value),
            },
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(response)
    }

    fn answer(&mut self, method: &str, p: Value) -> Result<Value, Failure> {
        let value = match method {
            req::Shutdown::METHOD => {
                self.shutdown = true;
                Value::Null
            }
            req::HoverRequest::METHOD => to_value(self.hover(params(p)?)),
            req::GotoDefinition::METHOD => to_value(self.definition(params(p)?)),
            req::References::METHOD => to_value(self.references(params(p)?)),
            req::PrepareRenameRequest::METHOD => to_value(self.prepare_rename(params(p)?)),
            req::Rename::METHOD => to_value(self.rename(params(p)?)?),
            req::Completion::METHOD => to_value(self.completion(params(p)?)),
            req::Formatting::METHOD => to_value(self.formatting(params(p)?)),
            req::CodeActionRequest::METHOD => to_value(self.code_actions(params(p)?)),
            req::SemanticTokensFullRequest::METHOD => to_value(self.semantic_tokens(params(p)?)),
            req::DocumentSymbolRequest::METHOD => to_value(self.symbols(params(p)?)),
            other => {
                return Err((
                    ErrorCode::MethodNotFound,
                    format!("cairn lsp does not answer `{other}`"),
                ))
            }
        };
        Ok(value)
    }

    fn initialize(&mut self, p: Value) -> Result<Value, Failure> {
        if self.initialized {
            return Err((
                ErrorCode::InvalidRequest,
                "initialize was already sent".to_string(),
            ));
        }
        let p: InitializeParams = params(p)?;
        let utf8 = p
            .capabilities
            .general
            .and_then(|g| g.position_encodings)
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        self.encoding = if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        self.initialized = true;
        Ok(to_value(InitializeResult {
            capabilities: capabilities(self.encoding),
            server_info: Some(ServerInfo {
                name: "cairn".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        }))
    }

    fn notification(&mut self, n: Notification) -> Result<(), Error> {
        if !self.initialized {
            return Ok(());
        }
        match n.method.as_str() {
            notif::DidOpenTextDocument::METHOD => {
                let Ok(p) = params::<DidOpenTextDocumentParams>(n.params) else {
                    return Ok(());
                };
                let doc = p.text_document;
                self.update(doc.uri, doc.version, doc.text)
            }
            notif::DidChangeTextDocument::METHOD => {
                let Ok(p) = params::<DidChangeTextDocumentParams>(n.params) else {
                    return Ok(());
                };
                let key = p.text_document.uri.as_str().to_string();
                let Some(doc) = self.docs.get(&key) else {
                    return Ok(());
                };
                let mut text = doc.analysis.text.clone();
                for change in p.content_changes {
                    match change.range {
                        Some(range) => {
                            let span = Lines::new(&text, self.encoding).span(range);
                            if span.start <= span.end {
                                text.replace_range(span.start..span.end, &change.text);
                            }
                        }
                        None => text = change.text,
                    }
                }
                self.update(p.text_document.uri, p.text_document.version, text)
            }
            notif::DidSaveTextDocument::METHOD => {
                // Key files may have changed beside the policy: analyse again.
                let Ok(p) = params::<lsp_types::DidSaveTextDocumentParams>(n.params) else {
                    return Ok(());
                };
                let Some(doc) = self.docs.get(p.text_document.uri.as_str()) else {
                    return Ok(());
                };
                let (text, version) = (doc.analysis.text.clone(), doc.version);
                self.update(p.text_document.uri, version, text)
            }
            notif::DidCloseTextDocument::METHOD => {
                let Ok(p) = params::<DidCloseTextDocumentParams>(n.params) else {
                    return Ok(());
                };
                self.docs.remove(p.text_document.uri.as_str());
                self.publish(p.text_document.uri, Vec::new(), None)
            }
            _ => Ok(()),
        }
    }

    /// Analyses a document's new text and publishes its diagnostics.
    fn update(&mut self, uri: Uri, version: i32, text: String) -> Result<(), Error> {
        let base = base_dir(&uri);
        let analysis = Analysis::new(text, &base, (self.clock)());
        let diagnostics = {
            let lines = Lines::new(&analysis.text, self.encoding);
            analysis
                .problems
                .iter()
                .map(|p| diagnostic(&lines, &uri, p))
                .collect()
        };
        self.docs.insert(
            uri.as_str().to_string(),
            Doc {
                uri: uri.clone(),
                version,
                analysis,
            },
        );
        self.publish(uri, diagnostics, Some(version))
    }

    fn publish(
        &mut self,
        uri: Uri,
        diagnostics: Vec<Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), Error> {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(
            notif::PublishDiagnostics::METHOD.to_string(),
            params,
        ))
    }

    fn doc(&self, id: &TextDocumentIdentifier) -> Option<&Doc> {
        self.docs.get(id.uri.as_str())
    }

    /// The document and byte offset of a position.
    fn at(&self, p: &TextDocumentPositionParams) -> Option<(&Doc, Lines<'_>, usize)> {
        let doc = self.doc(&p.text_document)?;
        let lines = Lines::new(&doc.analysis.text, self.encoding);
        let offset = lines.offset(p.position);
        Some((doc, lines, offset))
    }

    fn hover(&self, p: HoverParams) -> Option<Hover> {
        let (doc, lines, offset) = self.at(&p.text_document_position_params)?;
        let (value, span) = hover::hover(&doc.analysis, offset)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: Some(lines.range(span)),
        })
    }

    fn definition(&self, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
        let (doc, lines, offset) = self.at(&p.text_document_position_params)?;
        if let Some(file) = named_file(&doc.analysis, offset) {
            let uri = file_uri(&file)?;
            return Some(GotoDefinitionResponse::Scalar(Location::new(
                uri,
                lsp_types::Range::default(),
            )));
        }
        let (symbol, _) = doc.analysis.index.symbol_at(offset)?;
        let def = doc.analysis.index.definition(&symbol)?;
        Some(GotoDefinitionResponse::Scalar(Location::new(
            doc.uri.clone(),
            lines.range(def.span),
        )))
    }

    fn references(&self, p: ReferenceParams) -> Option<Vec<Location>> {
        let (doc, lines, offset) = self.at(&p.text_document_position)?;
        let (symbol, _) = doc.analysis.index.symbol_at(offset)?;
        let mut out = Vec::new();
        if p.context.include_declaration {
            if let Some(def) = doc.analysis.index.definition(&symbol) {
                out.push(Location::new(doc.uri.clone(), lines.range(def.span)));
            }
        }
        out.extend(
            doc.analysis
                .index
                .references(&symbol)
                .map(|r| Location::new(doc.uri.clone(), lines.range(r.span))),
        );
        Some(out)
    }

    fn prepare_rename(&self, p: TextDocumentPositionParams) -> Option<PrepareRenameResponse> {
        let (doc, lines, offset) = self.at(&p)?;
        let (symbol, span) = doc.analysis.index.symbol_at(offset)?;
        doc.analysis.index.definition(&symbol)?;
        Some(PrepareRenameResponse::Range(lines.range(span)))
    }

    fn rename(&self, p: RenameParams) -> Result<Option<WorkspaceEdit>, Failure> {
        let Some((doc, lines, offset)) = self.at(&p.text_document_position) else {
            return Ok(None);
        };
        let Some((symbol, _)) = doc.analysis.index.symbol_at(offset) else {
            return Ok(None);
        };
        if !is_name(&p.new_name) {
            return Err((
                ErrorCode::InvalidParams,
                format!(
                    "`{}` is not a name: a letter or `_`, then letters, digits, `_` or `-`",
                    p.new_name
                ),
            ));
        }
        let Some(def) = doc.analysis.index.definition(&symbol) else {
            return Ok(None);
        };
        let clash = Symbol {
            namespace: symbol.namespace,
            name: p.new_name.clone(),
        };
        if let Some(other) = doc.analysis.index.definition(&clash) {
            if p.new_name != symbol.name {
                return Err((
                    ErrorCode::InvalidParams,
                    format!(
                        "a {} named `{}` is already declared",
                        other.kind.keyword(),
                        p.new_name
                    ),
                ));
            }
        }
        let edit = |span| TextEdit::new(lines.range(span), p.new_name.clone());
        let mut edits = vec![edit(def.span)];
        edits.extend(doc.analysis.index.references(&symbol).map(|r| edit(r.span)));
        Ok(Some(workspace_edit(&doc.uri, edits)))
    }

    fn completion(&self, p: CompletionParams) -> Option<Vec<CompletionItem>> {
        let (doc, lines, offset) = self.at(&p.text_document_position)?;
        let items = complete::complete(&doc.analysis.text, offset)
            .into_iter()
            .map(|c| CompletionItem {
                kind: Some(match c.what {
                    What::Keyword => CompletionItemKind::KEYWORD,
                    What::Alias => CompletionItemKind::CLASS,
                    What::Field => CompletionItemKind::FIELD,
                    What::Name(DefKind::Step | DefKind::Inspection) => CompletionItemKind::FUNCTION,
                    What::Name(DefKind::Param) => CompletionItemKind::VARIABLE,
                    What::Name(DefKind::Key | DefKind::Identity) => CompletionItemKind::VALUE,
                }),
                detail: Some(c.detail),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                    lines.range(c.replace),
                    c.insert,
                ))),
                label: c.label,
                ..CompletionItem::default()
            })
            .collect();
        Some(items)
    }

    fn formatting(&self, p: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
        let doc = self.doc(&p.text_document)?;
        let text = &doc.analysis.text;
        let formatted = cairn_lang::syntax::format_source(text).ok()?;
        if formatted == *text {
            return Some(Vec::new());
        }
        let lines = Lines::new(text, self.encoding);
        let all = cairn_base::source::Span::new(0, text.len());
        Some(vec![TextEdit::new(lines.range(all), formatted)])
    }

    fn code_actions(&self, p: CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
        let doc = self.doc(&p.text_document)?;
        let text = &doc.analysis.text;
        let lines = Lines::new(text, self.encoding);
        let wanted = lines.span(p.range);
        let mut out = Vec::new();
        for problem in &doc.analysis.problems {
            let overlaps = problem.span.start <= wanted.end && wanted.start <= problem.span.end;
            if !overlaps {
                continue;
            }
            let diag = diagnostic(&lines, &doc.uri, problem);
            for action in actions::actions(text, problem) {
                let edits = action
                    .edits
                    .iter()
                    .map(|(span, new)| TextEdit::new(lines.range(*span), new.clone()))
                    .collect();
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: action.title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diag.clone()]),
                    edit: Some(workspace_edit(&doc.uri, edits)),
                    is_preferred: action.preferred.then_some(true),
                    ..CodeAction::default()
                }));
            }
        }
        Some(out)
    }

    fn semantic_tokens(&self, p: SemanticTokensParams) -> Option<SemanticTokensResult> {
        let doc = self.doc(&p.text_document)?;
        let lines = Lines::new(&doc.analysis.text, self.encoding);
        let mut data = Vec::new();
        let (mut line, mut start) = (0, 0);
        for t in tokens::classify(&doc.analysis.text, &doc.analysis.index) {
            let range = lines.range(t.span);
            let delta_line = range.start.line.saturating_sub(line);
            let delta_start = if delta_line == 0 {
                range.start.character.saturating_sub(start)
            } else {
                range.start.character
            };
            data.push(SemanticToken {
                delta_line,
                delta_start,
                length: range.end.character.saturating_sub(range.start.character),
                token_type: t.ty,
                token_modifiers_bitset: t.modifiers,
            });
            line = range.start.line;
            start = range.start.character;
        }
        Some(SemanticTokensResult::Tokens(SemanticTokens {
            result_id: None,
            data,
        }))
    }

    fn symbols(&self, p: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
        let doc = self.doc(&p.text_document)?;
        let parsed = doc.analysis.parsed.as_ref()?;
        let lines = Lines::new(&doc.analysis.text, self.encoding);
        Some(DocumentSymbolResponse::Nested(outline::outline(
            &lines, parsed,
        )))
    }
}

/// Edits of one document. `lsp_types::Uri` hashes and compares by its text
/// (its cached parts do not take part), so it is a sound map key.
#[allow(clippy::mutable_key_type)]
fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), edits);
    WorkspaceEdit::new(changes)
}

fn to_value(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// What the server offers.
fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            lsp_types::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
                ..lsp_types::TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "$".into(), "{".into()]),
            ..CompletionOptions::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: tokens::TYPES
                        .iter()
                        .map(|t| SemanticTokenType::new(t))
                        .collect(),
                    token_modifiers: tokens::MODIFIERS
                        .iter()
                        .map(|m| SemanticTokenModifier::new(m))
                        .collect(),
                },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: Default::default(),
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// A problem as an LSP diagnostic: its code, its labels as related places.
fn diagnostic(lines: &Lines<'_>, uri: &Uri, p: &Problem) -> Diagnostic {
    let mut message = p.message.clone();
    if !p.help.is_empty() {
        message.push_str("\nhelp: ");
        message.push_str(&p.help);
    }
    let related: Vec<DiagnosticRelatedInformation> = p
        .related
        .iter()
        .map(|(span, label)| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), lines.range(*span)),
            message: if label.is_empty() {
                "related".to_string()
            } else {
                label.clone()
            },
        })
        .collect();
    Diagnostic {
        range: lines.range(p.span),
        severity: Some(match p.level {
            Level::Error => DiagnosticSeverity::ERROR,
            Level::Warning => DiagnosticSeverity::WARNING,
            Level::Hint => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(p.code.clone())),
        source: Some("cairn".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The folder key files are relative to: the document's own folder for a
/// `file:` URI, the current folder otherwise.
fn base_dir(uri: &Uri) -> PathBuf {
    file_path(uri.as_str())
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The file a `key NAME = file "PATH"` or `trust-root "PATH"` at `offset`
/// names, when the document is a file (paths are relative to its folder).
fn named_file(analysis: &Analysis, offset: usize) -> Option<PathBuf> {
    let parsed = analysis.parsed.as_ref()?;
    if !analysis.base_dir.is_absolute() {
        return None;
    }
    parsed.layout.items.iter().find_map(|item| {
        let value = match item {
            ast::Item::Key(k) if k.kind.name == "file" => &k.value,
            ast::Item::TrustRoot(t) => &t.value,
            _ => return None,
        };
        let span = value.loc.span();
        (span.start <= offset && offset <= span.end).then(|| analysis.base_dir.join(&value.value))
    })
}

/// The `file:` URI of an absolute path (bytes other than unreserved ones
/// and `/` percent-escaped).
pub fn file_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    if !text.starts_with('/') {
        return None;
    }
    let mut uri = String::from("file://");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.parse().ok()
}

/// The path of a `file:` URI (percent-escapes decoded), if it is one.
pub fn file_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://host/path`: only the local host.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if rest.get(..i) == Some("localhost") => rest.get(i..)?,
        _ => return None,
    };
    let path = path.split(['?', '#']).next()?;
    let mut bytes = Vec::with_capacity(path.len());
    let mut it = path.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hi = it.next()?;
            let lo = it.next()?;
            let hex = [hi, lo];
            let hex = std::str::from_utf8(&hex).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    let path = String::from_utf8(bytes).ok()?;
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_server::RequestId;

    #[test]
    fn file_uris() {
        assert_eq!(
            file_path("file:///a/b%20c/p.cairn"),
            Some(PathBuf::from("/a/b c/p.cairn"))
        );
        assert_eq!(
            file_path("file://localhost/x.cairn"),
            Some(PathBuf::from("/x.cairn"))
        );
        assert_eq!(file_path("untitled:Untitled-1"), None);
        assert_eq!(file_path("file://elsewhere/x"), None);
        assert_eq!(file_path("file:///a%2"), None);
        let uri = file_uri(Path::new("/a/b c/é.pub")).unwrap();
        assert_eq!(uri.as_str(), "file:///a/b%20c/%C3%A9.pub");
        assert_eq!(file_path(uri.as_str()), Some(PathBuf::from("/a/b c/é.pub")));
        assert!(file_uri(Path::new("relative")).is_none());
    }

    #[test]
    fn names() {
        assert!(is_name("ci-backup"));
        assert!(!is_name("1x"));
        assert!(!is_name("a b"));
        assert!(!is_name(""));
    }

    #[test]
    fn a_session_over_memory() {
        let mut input = Vec::new();
        let send = |m: Message, input: &mut Vec<u8>| m.write(input).unwrap();
        send(
            Request::new(
                RequestId::from(1),
                "initialize".into(),
                serde_json::json!({"capabilities": {}}),
            )
            .into(),
            &mut input,
        );
        send(
            Request::new(RequestId::from(2), "shutdown".into(), Value::Null).into(),
            &mut input,
        );
        send(
            Notification::new("exit".into(), Value::Null).into(),
            &mut input,
        );
        let mut output = Vec::new();
        let exit = serve(&input[..], &mut output, &|| 0).unwrap();
        assert_eq!(exit, Exit::Clean);
        let text = String::from_utf8(output).unwrap();
        assert!(text.contains("\"positionEncoding\":\"utf-16\""), "{text}");
    }
}
