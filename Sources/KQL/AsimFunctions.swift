/// A minimal ASIM WebSession parser over the native `ASimWebSessionLogs` table, for table providers
/// without workspace functions (tests, tables held in memory). Workspaces use Sentinel's own parsers,
/// shipped in `SentinelParsers` and installed with `vigil functions install`.
public enum AsimFunctions {
    static let webSessionParameters = """
        (starttime:datetime=datetime(null), endtime:datetime=datetime(null), srcipaddr_has_any_prefix:dynamic=dynamic([]),
         ipaddr_has_any_prefix:dynamic=dynamic([]), url_has_any:dynamic=dynamic([]), httpuseragent_has_any:dynamic=dynamic([]),
         eventresultdetails_in:dynamic=dynamic([]), eventresult:string='*', disabled:bool=false)
        """

    static let webSessionBody = """
        ASimWebSessionLogs
        | where not(disabled)
        | where isnull(starttime) or TimeGenerated >= starttime
        | where isnull(endtime) or TimeGenerated <= endtime
        | where array_length(srcipaddr_has_any_prefix) == 0 or has_any_ipv4_prefix(SrcIpAddr, srcipaddr_has_any_prefix)
        | where array_length(ipaddr_has_any_prefix) == 0 or has_any_ipv4_prefix(SrcIpAddr, ipaddr_has_any_prefix) or has_any_ipv4_prefix(DstIpAddr, ipaddr_has_any_prefix)
        | where array_length(url_has_any) == 0 or Url has_any (url_has_any)
        | where array_length(httpuseragent_has_any) == 0 or HttpUserAgent has_any (httpuseragent_has_any)
        | where array_length(eventresultdetails_in) == 0 or EventResultDetails in (eventresultdetails_in)
        | where eventresult == '*' or EventResult == eventresult
        """

    public static let all: [String: StoredFunction] = {
        var out: [String: StoredFunction] = [:]
        for name in ["_Im_WebSession", "_ASim_WebSession", "imWebSession", "ASimWebSession"] {
            out[name] = StoredFunction(name: name, parameters: webSessionParameters, body: webSessionBody)
        }
        return out
    }()
}
