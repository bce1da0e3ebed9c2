/**
 * The manifests users apply in the seed documents (/work/shared/seeds): the MongoDB Deployment with its
 * Secret, ConfigMap and Service, the certbot Job and its LoadBalancer Service, the secret-reader
 * ClusterRole and ClusterRoleBinding, the dashboard Ingress, the gluster PVC, the Azure-disk StorageClass,
 * the devteam ResourceQuota — made well-formed where the documents lost their indentation — plus the
 * other kinds those workflows touch (PV, LimitRange, IngressClass, CronJob, DaemonSet, StatefulSet,
 * ServiceAccount, Role, RoleBinding).
 */

/** Namespaced objects of the MongoDB example (seed 001), in namespace `ns`. */
export function mongoApp(ns: string, image = 'mongo'): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: mongodb-secret
  namespace: ${ns}
type: Opaque
data:
  mongo-root-username: dXNlcm5hbWU=
  mongo-root-password: cGFzc3dvcmQ=
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: mongodb-configmap
  namespace: ${ns}
data:
  database_url: mongodb-service
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: mongodb-deployment
  namespace: ${ns}
  labels:
    app: mongodb
spec:
  replicas: 1
  selector:
    matchLabels:
      app: mongodb
  template:
    metadata:
      labels:
        app: mongodb
    spec:
      containers:
      - name: mongodb
        image: ${image}
        ports:
        - containerPort: 27017
        env:
        - name: MONGO_INITDB_ROOT_USERNAME
          valueFrom:
            secretKeyRef:
              name: mongodb-secret
              key: mongo-root-username
        - name: MONGO_INITDB_ROOT_PASSWORD
          valueFrom:
            secretKeyRef:
              name: mongodb-secret
              key: mongo-root-password
---
apiVersion: v1
kind: Service
metadata:
  name: mongodb-service
  namespace: ${ns}
spec:
  selector:
    app: mongodb
  ports:
  - protocol: TCP
    port: 27017
    targetPort: 27017
`;
}

/** The certbot Job and LoadBalancer Service (seed 000). */
export function certbot(ns: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: certbot-lb
  namespace: ${ns}
  labels:
    app: certbot-lb
spec:
  type: LoadBalancer
  ports:
  - port: 80
    name: "http"
    protocol: TCP
  - port: 443
    name: "tls"
    protocol: TCP
  selector:
    app: certbot-generator
---
apiVersion: batch/v1
kind: Job
metadata:
  name: certbot
  namespace: ${ns}
spec:
  template:
    metadata:
      labels:
        app: certbot-generator
    spec:
      containers:
      - name: certbot
        image: certbot/certbot
        command: ["certbot"]
        args: ["certonly", "--noninteractive", "--agree-tos", "--staging", "--standalone", "-d", "staging.example.com"]
        ports:
        - containerPort: 80
        - containerPort: 443
      restartPolicy: "Never"
`;
}

/** The secret-reader ClusterRole and its binding (seed 000); `suffix` keeps cluster names apart. */
export function secretReader(suffix: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-reader-${suffix}
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: secret-reader-${suffix}
subjects:
- kind: User
  name: jane
  apiGroup: rbac.authorization.k8s.io
- kind: ServiceAccount
  name: default
  namespace: default
roleRef:
  kind: ClusterRole
  name: secret-reader-${suffix}
  apiGroup: rbac.authorization.k8s.io
`;
}

/** Ingress (seed 001's dashboard, in networking.k8s.io/v1 form) with its IngressClass. */
export function dashboardIngress(ns: string, suffix: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx-${suffix}
spec:
  controller: k8s.io/ingress-nginx
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: dashboard-ingress
  namespace: ${ns}
spec:
  ingressClassName: nginx-${suffix}
  rules:
  - host: dashboard.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: kubernetes-dashboard
            port:
              number: 80
`;
}

/** Storage (seed 003): the Azure-disk StorageClass, a PV and the gluster PVC. */
export function storage(ns: string, suffix: string): string {
  return `kind: StorageClass
apiVersion: storage.k8s.io/v1
metadata:
  name: my-storage-class-${suffix}
provisioner: kubernetes.io/azure-disk
parameters:
  storageaccounttype: Standard_LRS
  kind: Shared
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-${suffix}
spec:
  capacity:
    storage: 5Gi
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: my-storage-class-${suffix}
  hostPath:
    path: /tmp/pv-${suffix}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: gluster-pvc
  namespace: ${ns}
spec:
  accessModes:
  - ReadWriteMany
  resources:
    requests:
      storage: 1Gi
`;
}

/** The devteam ResourceQuota (seed 003) and a LimitRange. */
export function quotas(ns: string): string {
  return `apiVersion: v1
kind: ResourceQuota
metadata:
  namespace: ${ns}
  name: compute-resources
spec:
  hard:
    pods: "4"
    requests.cpu: "1"
    requests.memory: 1Gi
    limits.cpu: "2"
    limits.memory: 2Gi
---
apiVersion: v1
kind: LimitRange
metadata:
  name: mem-limit-range
  namespace: ${ns}
spec:
  limits:
  - default:
      memory: 512Mi
    defaultRequest:
      memory: 256Mi
    type: Container
`;
}

/** Workloads beyond the Deployment: CronJob, DaemonSet, StatefulSet, and RBAC inside the namespace. */
export function workloads(ns: string): string {
  return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: renew
  namespace: ${ns}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: certbot
            image: certbot/certbot
            args: ["renew"]
          restartPolicy: OnFailure
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: ${ns}
spec:
  selector:
    matchLabels: {app: node-agent}
  template:
    metadata:
      labels: {app: node-agent}
    spec:
      nodeSelector:
        kubernetes.io/os: linux
      containers:
      - name: agent
        image: busybox
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: ${ns}
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: mongo
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: k8s-example1
  namespace: ${ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pod-reader
  namespace: ${ns}
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "watch", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read-pods
  namespace: ${ns}
subjects:
- kind: ServiceAccount
  name: k8s-example1
  namespace: ${ns}
roleRef:
  kind: Role
  name: pod-reader
  apiGroup: rbac.authorization.k8s.io
`;
}
