import { parseAllDocuments, LineCounter, Parser, Composer } from 'yaml';
const doc = (i) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  namespace: team-${i % 20}
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
          securityContext:
            allowPrivilegeEscalation: false
            runAsNonRoot: true
          resources:
            limits: { cpu: 100m, memory: 128Mi }
`;
const text = Array.from({ length: 10000 }, (_, i) => doc(i)).join('---\n');
console.log('bytes', text.length);
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, version: '1.1' });
  let t2 = performance.now();
  const objs = docs.map((d) => d.toJS());
  let t3 = performance.now();
  console.log('parse', (t2 - t).toFixed(0), 'toJS', (t3 - t2).toFixed(0), objs.length);
  t = performance.now();
  const docs2 = parseAllDocuments(text, { version: '1.2' });
  console.log('parse 1.2 no lc', (performance.now() - t).toFixed(0));
  t = performance.now();
  const toks = [...new Parser().parse(text)];
  console.log('cst only', (performance.now() - t).toFixed(0));
}
