/// Sentinel's entity types for alert entity mapping, with the identifiers each accepts.
public enum EntityType: String, Sendable, Codable, CaseIterable {
    case account = "Account", host = "Host", ip = "IP", url = "URL", fileHash = "FileHash", file = "File"
    case process = "Process", mailbox = "Mailbox", mailMessage = "MailMessage", mailCluster = "MailCluster"
    case dns = "DNS", azureResource = "AzureResource", cloudApplication = "CloudApplication", registryKey = "RegistryKey"
    case registryValue = "RegistryValue", securityGroup = "SecurityGroup", malware = "Malware", iotDevice = "IoTDevice"
    case submissionMail = "SubmissionMail", mailboxConfiguration = "MailboxConfiguration", sentinelEntities = "SentinelEntities"

    public var identifiers: Set<String> {
        switch self {
        case .account: return ["Name", "FullName", "NTDomain", "DnsDomain", "UPNSuffix", "Sid", "AadTenantId", "AadUserId", "PUID", "IsDomainJoined", "DisplayName", "ObjectGuid"]
        case .host: return ["DnsDomain", "NTDomain", "HostName", "FullName", "NetBiosName", "AzureID", "OMSAgentID", "OSFamily", "OSVersion", "IsDomainJoined"]
        case .ip: return ["Address"]
        case .url: return ["Url"]
        case .fileHash: return ["Algorithm", "Value"]
        case .file: return ["Directory", "Name"]
        case .process: return ["ProcessId", "CommandLine", "ElevationToken", "CreationTimeUtc"]
        case .mailbox: return ["MailboxPrimaryAddress", "DisplayName", "Upn", "ExternalDirectoryObjectId", "RiskLevel"]
        case .mailMessage: return ["Recipient", "Urls", "Threats", "Sender", "P1Sender", "P1SenderDisplayName", "P1SenderDomain", "SenderIP",
                                   "P2Sender", "P2SenderDisplayName", "P2SenderDomain", "ReceivedDate", "NetworkMessageId", "InternetMessageId",
                                   "Subject", "BodyFingerprintBin1", "BodyFingerprintBin2", "BodyFingerprintBin3", "BodyFingerprintBin4",
                                   "BodyFingerprintBin5", "AntispamDirection", "DeliveryAction", "DeliveryLocation", "Language", "ThreatDetectionMethods"]
        case .mailCluster: return ["NetworkMessageIds", "CountByDeliveryStatus", "CountByThreatType", "CountByProtectionStatus", "Threats",
                                   "Query", "QueryTime", "MailCount", "IsVolumeAnomaly", "Source", "ClusterSourceIdentifier", "ClusterSourceType",
                                   "ClusterQueryStartTime", "ClusterQueryEndTime", "ClusterGroup"]
        case .dns: return ["DomainName"]
        case .azureResource: return ["ResourceId"]
        case .cloudApplication: return ["AppId", "Name", "InstanceName"]
        case .registryKey: return ["Hive", "Key"]
        case .registryValue: return ["Name", "Value", "ValueType"]
        case .securityGroup: return ["DistinguishedName", "SID", "ObjectGuid"]
        case .malware: return ["Name", "Category"]
        case .iotDevice: return ["IoTHub", "DeviceId", "DeviceName", "IoTSecurityAgentId", "DeviceType", "Source", "SourceRef", "Manufacturer",
                                 "Model", "OperatingSystem", "IpAddress", "MacAddress", "Protocols", "SerialNumber"]
        case .submissionMail: return ["SubmissionId", "SubmissionDate", "Submitter", "NetworkMessageId", "Timestamp", "Recipient", "Sender",
                                      "SenderIp", "Subject", "ReportType"]
        case .mailboxConfiguration: return ["MailboxPrimaryAddress", "DisplayName", "Upn", "ExternalDirectoryObjectId", "ConfigType", "ConfigId"]
        case .sentinelEntities: return ["Entities"]
        }
    }

    /// Case and spaces ignored: `File hash` is `FileHash`.
    public init?(loose text: String) {
        let key = text.lowercased().filter { !$0.isWhitespace }
        guard let t = EntityType.allCases.first(where: { $0.rawValue.lowercased() == key }) else { return nil }
        self = t
    }
}
