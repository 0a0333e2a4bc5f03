/** The issue's example file, as written there. */
export const ISSUE_POLICY_FILE = `roles:
  - { name: ml_engineer, permissions: [models.train, models.evaluate, datasets.read, experiments.create] }
  - { name: data_scientist, permissions: [models.deploy, datasets.create], inherits: [ml_engineer] }
  - { name: admin, permissions: ["*"] }
bindings:
  - { principal: user123, role: ml_engineer }
  - { principal: alice, role: data_scientist, resource: "dataset:ds-1", expires: "2026-12-01T00:00:00Z" }
  - { principal: bob, role: ml_engineer, resource: model }   # every resource of type model
policies:
  - name: sensitive_data_access
    effect: allow
    actions: ["datasets.*"]      # optional; default: every action
    resources: [dataset]         # optional; default: every type
    condition: user.clearance_level >= dataset.classification_level
`;
