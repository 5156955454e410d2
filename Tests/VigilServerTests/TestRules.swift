/// A small valid analytics rule for the API, UI and CLI tests.
enum TestRules {
    static let failedLogons = """
    id: 11111111-2222-4333-8444-555555555555
    name: Failed logons by account
    description: Many failed logons.
    severity: Medium
    queryFrequency: 1h
    queryPeriod: 1h
    triggerOperator: gt
    triggerThreshold: 0
    tactics: [CredentialAccess]
    query: |
      SecurityEvent | where EventID == 4625 | summarize n = count() by Account
    entityMappings:
      - entityType: Account
        fieldMappings:
          - identifier: FullName
            columnName: Account
    """
}
