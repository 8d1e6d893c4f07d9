use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use streamhooks_actions::CrmOperation;
use streamhooks_crm::{CallError, CrmConnector, SalesforceConfig, SalesforceConnector};

use crate::server::{Recorded, Reply, Server};
use crate::{cx, upsert};

const TOKEN_PATH: &str = "/services/oauth2/token";
const TOKEN_FORM: &str = "grant_type=client_credentials&client_id=app%2Bid&client_secret=s%26cret";

/// A Salesforce org: issues tokens `tok-1`, `tok-2` ... to the right client, answers 401 to any
/// other bearer, and hands authorized data calls to the test's handler.
struct Org {
    issued: AtomicU32,
    current: Mutex<Option<String>>,
}

impl Org {
    async fn serve(
        data: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> (Arc<Org>, Server) {
        let org = Arc::new(Org {
            issued: AtomicU32::new(0),
            current: Mutex::new(None),
        });
        let o = org.clone();
        let server = Server::start(move |r| o.handle(r, &data)).await;
        (org, server)
    }

    fn handle(&self, r: &Recorded, data: &dyn Fn(&Recorded) -> Reply) -> Reply {
        if r.path == TOKEN_PATH {
            if r.method != "POST" || r.text() != TOKEN_FORM {
                return Reply::new(
                    400,
                    r#"{"error":"invalid_client","error_description":"invalid client credentials"}"#,
                );
            }
            let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
            let token = format!("tok-{n}");
            *self.current.lock().expect("token lock") = Some(token.clone());
            let instance = format!("http://{}", r.header("host").expect("a Host header"));
            return Reply::new(
                200,
                json!({"access_token": token, "instance_url": instance, "token_type": "Bearer"})
                    .to_string(),
            );
        }
        let current = self.current.lock().expect("token lock").clone();
        let authorized =
            current.is_some_and(|t| r.header("authorization") == Some(&format!("Bearer {t}")));
        if !authorized {
            return Reply::new(
                401,
                r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
            );
        }
        data(r)
    }

    /// Revokes the current token, as Salesforce does when a session times out.
    fn expire(&self) {
        *self.current.lock().expect("token lock") = None;
    }
}

fn connector(server: &Server) -> SalesforceConnector {
    SalesforceConnector::new(SalesforceConfig::new(&server.url, "app+id", "s&cret"))
        .expect("a valid config")
}

fn calls(server: &Server) -> Vec<(String, String)> {
    server
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect()
}

fn call(method: &str, path: &str) -> (String, String) {
    (method.to_owned(), path.to_owned())
}

const UPSERT_PATH: &str = "/services/data/v60.0/sobjects/Task/CallId__c/c-1";

#[tokio::test]
async fn upserts_by_external_id_with_a_cached_token() {
    let (_, server) = Org::serve(|r| {
        if r.json()["Subject"] == "Call" {
            Reply::new(
                201,
                r#"{"id":"00T000000000001","success":true,"errors":[],"created":true}"#,
            )
        } else {
            Reply::new(204, "")
        }
    })
    .await;
    let sf = connector(&server);
    let first = sf.write(&upsert(), &cx(Duration::from_secs(10))).await;
    assert_eq!(first, Ok(Some("00T000000000001".into())));
    let mut again = upsert();
    again.fields = json!({"Subject": "Call again"});
    assert_eq!(
        sf.write(&again, &cx(Duration::from_secs(10))).await,
        Ok(None)
    );

    let requests = server.requests();
    assert_eq!(
        calls(&server),
        [
            call("POST", TOKEN_PATH),
            call("PATCH", UPSERT_PATH),
            call("PATCH", UPSERT_PATH)
        ]
    );
    assert_eq!(
        requests[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(requests[1].header("authorization"), Some("Bearer tok-1"));
    assert_eq!(requests[1].header("content-type"), Some("application/json"));
    assert_eq!(
        requests[1].json(),
        json!({"Subject": "Call", "Duration__c": 42})
    );
    assert_eq!(requests[2].header("authorization"), Some("Bearer tok-1"));
}

#[tokio::test]
async fn creates_and_updates_records() {
    let (_, server) = Org::serve(|r| match r.method.as_str() {
        "POST" => Reply::new(201, r#"{"id":"00T2","success":true,"errors":[]}"#),
        _ => Reply::new(204, ""),
    })
    .await;
    let sf = connector(&server);
    let mut create = upsert();
    create.operation = CrmOperation::Create;
    create.id_field = None;
    create.id = None;
    assert_eq!(
        sf.write(&create, &cx(Duration::from_secs(10))).await,
        Ok(Some("00T2".into()))
    );
    let mut update = upsert();
    update.operation = CrmOperation::Update;
    update.id_field = None;
    update.id = Some("00T3".into());
    assert_eq!(
        sf.write(&update, &cx(Duration::from_secs(10))).await,
        Ok(Some("00T3".into()))
    );
    assert_eq!(
        calls(&server),
        [
            call("POST", TOKEN_PATH),
            call("POST", "/services/data/v60.0/sobjects/Task"),
            call("PATCH", "/services/data/v60.0/sobjects/Task/00T3"),
        ]
    );
    let requests = server.requests();
    assert_eq!(
        requests[1].json(),
        json!({"Subject": "Call", "Duration__c": 42})
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_retried() {
    let (org, server) = Org::serve(|_| Reply::new(204, "")).await;
    let sf = connector(&server);
    assert_eq!(
        sf.write(&upsert(), &cx(Duration::from_secs(10))).await,
        Ok(None)
    );
    org.expire();
    assert_eq!(
        sf.write(&upsert(), &cx(Duration::from_secs(10))).await,
        Ok(None)
    );
    assert_eq!(
        calls(&server),
        [
            call("POST", TOKEN_PATH),
            call("PATCH", UPSERT_PATH),
            call("PATCH", UPSERT_PATH),
            call("POST", TOKEN_PATH),
            call("PATCH", UPSERT_PATH),
        ]
    );
    let requests = server.requests();
    assert_eq!(requests[2].header("authorization"), Some("Bearer tok-1"));
    assert_eq!(requests[4].header("authorization"), Some("Bearer tok-2"));
}

#[tokio::test]
async fn a_second_401_is_permanent() {
    // An org that revokes every token as soon as it is used.
    let (_, server) = Org::serve(|_| {
        Reply::new(
            401,
            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
        )
    })
    .await;
    let err = connector(&server)
        .write(&upsert(), &cx(Duration::from_secs(10)))
        .await;
    assert!(
        matches!(&err, Err(CallError::Permanent { code, .. }) if code == "http-401"),
        "{err:?}"
    );
    assert_eq!(
        calls(&server),
        [
            call("POST", TOKEN_PATH),
            call("PATCH", UPSERT_PATH),
            call("POST", TOKEN_PATH),
            call("PATCH", UPSERT_PATH),
        ]
    );
}

#[tokio::test]
async fn salesforce_errors_keep_their_code() {
    let (_, server) = Org::serve(|_| {
        Reply::new(
            400,
            r#"[{"message":"No such column 'Bogus__c' on sobject of type Task","errorCode":"INVALID_FIELD","fields":[]}]"#,
        )
    })
    .await;
    let err = connector(&server)
        .write(&upsert(), &cx(Duration::from_secs(10)))
        .await;
    assert_eq!(
        err,
        Err(CallError::Permanent {
            code: "INVALID_FIELD".into(),
            message: "No such column 'Bogus__c' on sobject of type Task".into()
        })
    );
}

#[tokio::test]
async fn limits_are_throttled_and_server_errors_transient() {
    let (_, server) = Org::serve(|r| match r.json()["Subject"].as_str() {
        Some("limit") => Reply::new(
            403,
            r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#,
        ),
        Some("busy") => Reply::new(429, "busy").header("Retry-After", "2"),
        _ => Reply::new(
            503,
            r#"[{"message":"down","errorCode":"SERVER_UNAVAILABLE"}]"#,
        ),
    })
    .await;
    let sf = connector(&server);
    let with = |subject: &str| {
        let mut u = upsert();
        u.fields = json!({"Subject": subject});
        u
    };
    let err = sf.write(&with("limit"), &cx(Duration::from_secs(10))).await;
    assert_eq!(
        err,
        Err(CallError::Throttled {
            retry_after: None,
            message: "TotalRequests Limit exceeded.".into()
        })
    );
    let err = sf.write(&with("busy"), &cx(Duration::from_secs(10))).await;
    assert_eq!(
        err,
        Err(CallError::Throttled {
            retry_after: Some(Duration::from_secs(2)),
            message: "busy".into()
        })
    );
    let err = sf.write(&with("down"), &cx(Duration::from_secs(10))).await;
    assert_eq!(
        err,
        Err(CallError::Transient {
            message: "http-503: down".into()
        })
    );
}

#[tokio::test]
async fn bad_credentials_are_permanent() {
    let (_, server) = Org::serve(|_| Reply::new(204, "")).await;
    let sf =
        SalesforceConnector::new(SalesforceConfig::new(&server.url, "app+id", "wrong")).unwrap();
    let err = sf.write(&upsert(), &cx(Duration::from_secs(10))).await;
    assert_eq!(
        err,
        Err(CallError::Permanent {
            code: "invalid_client".into(),
            message: "token request: invalid client credentials".into()
        })
    );
    assert_eq!(calls(&server), [call("POST", TOKEN_PATH)]);
}

#[tokio::test]
async fn invalid_names_are_refused_before_any_request() {
    let (_, server) = Org::serve(|_| Reply::new(204, "")).await;
    let sf = connector(&server);
    let mut bad = upsert();
    bad.object = "Task/../../User".into();
    let err = sf.write(&bad, &cx(Duration::from_secs(10))).await;
    assert!(
        matches!(&err, Err(CallError::Permanent { code, .. }) if code == "invalid-crm-object"),
        "{err:?}"
    );
    let mut bad = upsert();
    bad.id = Some("c-1?x=1".into());
    assert!(sf.write(&bad, &cx(Duration::from_secs(10))).await.is_err());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_slow_org_times_out_by_the_deadline() {
    let (_, server) = Org::serve(|_| Reply::new(204, "").after(Duration::from_secs(30))).await;
    let sf = connector(&server);
    let start = Instant::now();
    let err = sf.write(&upsert(), &cx(Duration::from_millis(300))).await;
    assert_eq!(
        err,
        Err(CallError::Transient {
            message: "timed out".into()
        })
    );
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        calls(&server),
        [call("POST", TOKEN_PATH), call("PATCH", UPSERT_PATH)]
    );
}

#[tokio::test]
async fn concurrent_writes_share_one_token_request() {
    let (_, server) = Org::serve(|_| Reply::new(204, "")).await;
    let sf = connector(&server);
    let (update, context) = (upsert(), cx(Duration::from_secs(10)));
    let (a, b) = tokio::join!(sf.write(&update, &context), sf.write(&update, &context));
    assert_eq!((a, b), (Ok(None), Ok(None)));
    let tokens = calls(&server)
        .iter()
        .filter(|(_, path)| path == TOKEN_PATH)
        .count();
    assert_eq!(tokens, 1);
    assert_eq!(server.requests().len(), 3);
}
