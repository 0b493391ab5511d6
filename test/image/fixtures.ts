/** Component documents shared by the image tests. */
export const HELLO = `name: hello
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Install
        action: ExecuteBash
        inputs:
          commands: ["dnf install -y nginx"]
  - name: validate
    steps:
      - name: Check
        action: ExecuteBash
        inputs:
          commands: ["nginx -v"]
`;

/** A second valid document, with a test phase. */
export const SMOKE = `schemaVersion: 1.0
phases:
  - name: test
    steps:
      - name: Curl
        action: ExecuteBash
        inputs:
          commands: ["curl -fsS http://localhost/"]
`;
